# The toy classifier of the training-tool tests, evaluated with DFERMetric.
_base_ = ['../../fixtures/configs/toy_classifier.py']
val_evaluator = dict(_delete_=True, type='DFERMetric')
test_evaluator = dict(_delete_=True, type='DFERMetric')

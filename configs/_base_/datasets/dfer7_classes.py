# The 7 classes of DFEW, FERV39k and the synthetic set, in DFEW order (label id = DFEW
# CSV label - 1; ous_mm/datasets/class_sets.py DFEW_CLASSES), and their scene polarity
# targets (0 positive, 1 neutral, 2 negative): Happy is the only positive class; Neutral
# and Surprise (valence-ambiguous) are neutral; the rest negative.
class_names = ('Happy', 'Sad', 'Neutral', 'Angry', 'Surprise', 'Disgust', 'Fear')
polarity_map = dict(
    Happy='positive', Neutral='neutral', Surprise='neutral',
    Sad='negative', Angry='negative', Disgust='negative', Fear='negative')

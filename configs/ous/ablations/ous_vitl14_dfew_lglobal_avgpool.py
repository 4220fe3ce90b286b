# Tables IV-V, row "L_global": the three-loss switch (Eq. 4), TFE replaced by average
# pooling of the face and scene features.
_base_ = ['../ous_vitl14_dfew.py']
model = dict(neck=dict(fusion='avgpool'))

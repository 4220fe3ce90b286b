"""Class words of DFEW, FERV39k, MAFW and CAER(-S), and the label orders other codebases use.

Why one module: every 0-based label id that enters this project (an official
split file, another codebase's list) is turned into a class WORD here, and the
word is what our annotation files store. A label never passes from one order
to another by position, so a list written with an alphabetical order cannot
silently swap Happy and Angry.

The dataset configs' ``class_names`` must equal :data:`DATASET_CLASSES`
(DFEW order for the 7-class sets, MAFW's official 11-class order).
"""
from typing import Dict, Optional, Sequence, Tuple

#: DFEW's official order (CSV label 1..7 is the index here + 1); also used for FERV39k.
DFEW_CLASSES: Tuple[str, ...] = (
    'Happy', 'Sad', 'Neutral', 'Angry', 'Surprise', 'Disgust', 'Fear')
#: Emotional polarity of each 7-class word, our choice for every set (data/README.md):
#: Happy positive; Neutral and Surprise neutral (surprise has no fixed valence); the rest
#: negative. The dataset configs' ``polarity_map`` and the synthetic generator use it.
DFEW_POLARITY_MAP: Dict[str, str] = dict(
    Happy='positive', Sad='negative', Neutral='neutral', Angry='negative',
    Surprise='neutral', Disgust='negative', Fear='negative')
#: FERV39k has no numeric labels: its split files carry the class word. We use DFEW order.
FERV39K_CLASSES: Tuple[str, ...] = DFEW_CLASSES
#: MAFW's official 11-class order (single-expression set).
MAFW_CLASSES: Tuple[str, ...] = (
    'anger', 'disgust', 'fear', 'happiness', 'neutral', 'sadness', 'surprise',
    'contempt', 'anxiety', 'helplessness', 'disappointment')

#: CAER and CAER-S (Lee et al., ICCV 2019): the official class-folder words in the
#: alphabetical order CAER-Net's lists number them (Anger 0 ... Surprise 6; docs/data.md).
CAER_CLASSES: Tuple[str, ...] = (
    'Anger', 'Disgust', 'Fear', 'Happy', 'Neutral', 'Sad', 'Surprise')
CAER_POLARITY_MAP: Dict[str, str] = dict(
    Anger='negative', Disgust='negative', Fear='negative', Happy='positive',
    Neutral='neutral', Sad='negative', Surprise='neutral')

DATASET_CLASSES: Dict[str, Tuple[str, ...]] = {
    'dfew': DFEW_CLASSES,
    'ferv39k': FERV39K_CLASSES,
    'mafw': MAFW_CLASSES,
    'caer': CAER_CLASSES,
    'caer_s': CAER_CLASSES,
}

#: The 22 FERV39k scene folders, exact spelling.
FERV39K_SCENES: Tuple[str, ...] = (
    'Action', 'Argue', 'Business', 'Conflict', 'Contest', 'Crime', 'Crisis',
    'DailyLife', 'ElegantArt', 'Experiment', 'History', 'Interview', 'Liveshow',
    'Medicine', 'OfficialEvent', 'ScholarReport', 'School', 'Social', 'Speech',
    'Talkshow', 'Terror', 'War')

#: DFER-CLIP's MAFW order (its ``models/Text.py`` ``class_names_11`` and the
#: comment in ``annotation/preprocessing.py``): happiness first.
DFER_CLIP_MAFW_ORDER: Tuple[str, ...] = (
    'happiness', 'sadness', 'neutral', 'anger', 'surprise', 'disgust', 'fear',
    'contempt', 'anxiety', 'helplessness', 'disappointment')

#: 0-based label id -> class word, per list format and dataset. Sources
#: (checked against the public repositories, see docs/data.md):
#: - dfer-clip: DFEW CSV label - 1 (``annotation/preprocess_annotation.py``),
#:   DFEW order for FERV39k, happiness-first for MAFW (MAFW ``00025`` anger -> 3).
#: - mae-dfer: ``preprocess/{dfew,ferv39k,mafw}.py``: DFEW label - 1, FERV39k
#:   ``label2idx`` in DFEW order, MAFW official order.
#: - s2d: FERV39k ``label_index.txt`` and MAFW ``id_to_calss.txt`` are alphabetical;
#:   its DFEW csv files keep the official label - 1 (same ids as DFER-CLIP's
#:   DFEW lists for the same clips, e.g. 02522 -> 5, 03138 -> 3).
LIST_LABEL_ORDERS: Dict[str, Dict[str, Tuple[str, ...]]] = {
    'dfer-clip': {
        'dfew': DFEW_CLASSES,
        'ferv39k': DFEW_CLASSES,
        'mafw': DFER_CLIP_MAFW_ORDER,
    },
    'mae-dfer': {
        'dfew': DFEW_CLASSES,
        'ferv39k': DFEW_CLASSES,
        'mafw': MAFW_CLASSES,
    },
    's2d': {
        'dfew': DFEW_CLASSES,
        'ferv39k': tuple(sorted(FERV39K_CLASSES)),
        'mafw': tuple(sorted(MAFW_CLASSES)),
    },
}


def class_names(dataset: str) -> Tuple[str, ...]:
    """The class words of ``dataset`` ('dfew', 'ferv39k', 'mafw', 'caer', 'caer_s'), our id order."""
    try:
        return DATASET_CLASSES[dataset.lower()]
    except KeyError:
        raise KeyError(f'unknown dataset {dataset!r}; expected one of '
                       f'{sorted(DATASET_CLASSES)}') from None


def canonical_class_word(dataset: str, word: str) -> Optional[str]:
    """The spelling of ``word`` used in ``dataset``'s class names, or None.

    Matching ignores case and surrounding whitespace, because split files and
    third-party lists disagree on capitalisation (MAFW ``anger`` vs S2D ``Anger``).
    """
    wanted = word.strip().lower()
    for name in class_names(dataset):
        if name.lower() == wanted:
            return name
    return None


def label_order(list_format: str, dataset: str) -> Tuple[str, ...]:
    """The id -> class word order of ``list_format``'s lists for ``dataset``."""
    try:
        return LIST_LABEL_ORDERS[list_format][dataset.lower()]
    except KeyError:
        raise KeyError(f'no label order known for format {list_format!r} and '
                       f'dataset {dataset!r}') from None


def word_for_label_id(list_format: str, dataset: str, label_id: int) -> Optional[str]:
    """Class word for ``label_id`` in ``list_format``'s order, or None if out of range."""
    order = label_order(list_format, dataset)
    if 0 <= label_id < len(order):
        return canonical_class_word(dataset, order[label_id])
    return None


def check_order_covers(dataset: str, order: Sequence[str]) -> None:
    """Raise if ``order`` is not a permutation of ``dataset``'s class words."""
    got = sorted(w.lower() for w in order)
    want = sorted(w.lower() for w in class_names(dataset))
    if got != want:
        raise ValueError(f'label order {list(order)} is not a permutation of the '
                         f'{dataset} classes {list(class_names(dataset))}')

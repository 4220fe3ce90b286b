"""The parameters of one synthetic scene-DFER variant (:class:`VariantSpec`).

Every field is an axis along which variants differ; the defaults are the v2
generator's set (the ``base`` variant), drawn bit-for-bit as before. Ranges are
``(low, high)`` of a uniform draw per clip; pixel quantities are per frame.
The fields of :data:`LATER_FIELDS` (feature drawing, scene sets, crop margin, tower)
are written by :meth:`VariantSpec.to_dict` only where they differ from their default,
so the ``meta.json`` of every variant that does not use them stays as it was (and a
set generated before them stays valid in its cache).
"""
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Dict, Mapping, Optional, Tuple

from ..class_sets import DFEW_CLASSES, DFEW_POLARITY_MAP
from .expressions import AMBIGUOUS_FACES, AMBIGUOUS_GROUPS
from .corpus_content import CORPUS_CONTENTS
from .faces import FACE_ASPECT, FACE_STYLES
from .features import FeatureDrawing
from .scenes import POLARITY_SCENES, SCENE_SETS, SceneCues

Range = Tuple[float, float]
_BOOKKEEPING = ('name', 'description', 'hard', 'holdout', 'tower')
FEATURE_RANGES = ('stroke_width', 'eye_spread', 'face_width', 'hair_scale')
#: added after generator v3; left out of ``to_dict`` at their defaults (module doc)
LATER_FIELDS = FEATURE_RANGES + ('scene_sets', 'crop_margin', 'tower')


@dataclass(frozen=True)
class VariantSpec:
    """One variant of the synthetic set (see data/README.md, "Synthetic set").

    Labels and ambiguity:
        polarity_map: class word -> polarity of the scene drawn for it.
        ambiguous_ratio: share of the clips of each class in an ambiguity group
            whose face is the group's shared face (only the scene tells them apart).
        ambiguous_groups: shared face kind (``expressions.AMBIGUOUS_FACES``) -> classes.
    Faces:
        styles: face styles (``faces.FACE_STYLES``), one drawn per clip.
        face_scale: face box height / frame side.
        face_center_x, face_center_y: face box centre / frame side.
        face_motion: max drift of the face, px per frame (each axis).
        apex_strength: multiplier of the class's apex expression.
        expression_jitter: std of per-clip noise added to the shape parameters.
        onset, rise: when the expression starts and how long it takes (share of the clip).
        identity_variety: 0 = palette colours and one geometry (v2); 1 = continuous
            colours and +-15-30 % eye/mouth geometry per identity.
        num_identities: 0 = every clip a new person; N = people from a pool of N.
        stroke_width, eye_spread, face_width, hair_scale: ranges of the feature drawing
            (``features.FeatureDrawing``: line width, eye distance, face width and head
            background factors), one drawing per clip; all (1, 1) = the standard drawing.
    Scene:
        scene_light, scene_colour, scene_objects: polarity-cue strengths (``scenes.SceneCues``).
        wrong_scene_prob: share of clips whose scene shows another polarity (noisy cue).
        background_people: (min, max) other people with random expressions.
        clutter: (min, max) polarity-free clutter objects.
        scene_sets: the drawings of the polarity scenes (``scenes.SCENE_SETS``): 'standard'
            (meadow, room, stormy night) and/or 'shifted' (beach, office, rainy forest),
            one picked per clip.
    Crop:
        crop_margin: margin of the square face crop (``FaceSceneSplit.margin``) that the
            configs training on this variant use; the benchmark writes it into their face
            crop. 0.1 (the synthetic configs') shows no scene; wider crops show some of
            the scene's light around the head, as real face crops do.
    Camera and frames:
        size, num_frames: frame side (px) and clip length.
        camera_pan: max scene drift behind the person, px per frame.
        camera_shake: std of the frame's random walk, px per frame (moves everything).
        camera_zoom: max zoom change over the clip (0.1 = +-10 %).
        noise_std, blur_sigma: ranges of Gaussian pixel noise and blur per clip.
        jpeg_quality: range of JPEG quality per clip, or None (no JPEG round trip).
    Bookkeeping:
        name, description; hard: made to be hard for a tower trained from scratch;
        holdout: not to be tuned on (report only).
        tower: the pretraining corpus (``corpus_content.CORPUS_CONTENTS``) whose tower the
            frozen regime reads this variant with: 'full', or 'restricted' for the
            domain-shifted ``ood_*`` variants, drawn with what that corpus left out.
    """
    name: str = 'base'
    description: str = 'the v2 set: cartoon faces, 112 px, 16 frames, full scene cues'
    hard: bool = False
    holdout: bool = False
    # labels and ambiguity
    polarity_map: Mapping[str, str] = field(default_factory=lambda: dict(DFEW_POLARITY_MAP))
    ambiguous_ratio: float = 0.6
    ambiguous_groups: Mapping[str, Tuple[str, ...]] = field(
        default_factory=lambda: dict(AMBIGUOUS_GROUPS))
    # faces
    styles: Tuple[str, ...] = ('cartoon',)
    face_scale: Range = (0.36, 0.46)
    face_center_x: Range = (0.35, 0.65)
    face_center_y: Range = (0.38, 0.52)
    face_motion: float = 0.6
    apex_strength: Range = (0.8, 1.05)
    expression_jitter: float = 0.06
    onset: Range = (0.0, 0.25)
    rise: Range = (0.3, 0.5)
    identity_variety: float = 0.0
    num_identities: int = 0
    stroke_width: Range = (1.0, 1.0)
    eye_spread: Range = (1.0, 1.0)
    face_width: Range = (1.0, 1.0)
    hair_scale: Range = (1.0, 1.0)
    # scene
    scene_light: float = 1.0
    scene_colour: float = 1.0
    scene_objects: float = 1.0
    wrong_scene_prob: float = 0.0
    background_people: Tuple[int, int] = (0, 0)
    clutter: Tuple[int, int] = (0, 0)
    scene_sets: Tuple[str, ...] = ('standard',)
    # crop
    crop_margin: float = 0.1
    # camera and frames
    size: int = 112
    num_frames: int = 16
    camera_pan: float = 0.6
    camera_shake: float = 0.0
    camera_zoom: float = 0.0
    noise_std: Range = (0.0, 0.0)
    blur_sigma: Range = (0.0, 0.0)
    jpeg_quality: Optional[Tuple[int, int]] = None
    tower: str = 'full'

    def __post_init__(self):
        def bad(msg):
            raise ValueError(f'variant {self.name!r}: {msg}')

        if set(self.polarity_map) != set(DFEW_CLASSES):
            bad(f'polarity_map must name exactly the classes {DFEW_CLASSES}')
        if set(self.polarity_map.values()) - set(POLARITY_SCENES):
            bad(f'polarity_map values must be in {POLARITY_SCENES}')
        seen = set()
        for face, classes in self.ambiguous_groups.items():
            if face not in AMBIGUOUS_FACES:
                bad(f'unknown ambiguous face {face!r}; expected one of {sorted(AMBIGUOUS_FACES)}')
            if set(classes) - set(DFEW_CLASSES) or seen & set(classes) or len(classes) < 2:
                bad(f'ambiguity group {face!r} must name >= 2 classes, each in one group only')
            seen |= set(classes)
        if set(self.styles) - set(FACE_STYLES) or not self.styles:
            bad(f'styles must be a non-empty subset of {FACE_STYLES}')
        if not 0.0 <= self.ambiguous_ratio <= 1.0 or not 0.0 <= self.wrong_scene_prob <= 1.0:
            bad('ambiguous_ratio and wrong_scene_prob must be in [0, 1]')
        if not 32 <= self.size <= 512 or not 1 <= self.num_frames <= 256:
            bad('size must be in [32, 512] and num_frames in [1, 256]')
        for name in ('face_scale', 'face_center_x', 'face_center_y', 'apex_strength', 'onset',
                     'rise', 'noise_std', 'blur_sigma', 'background_people', 'clutter'):
            lo, hi = getattr(self, name)
            if lo > hi or lo < 0:
                bad(f'{name} must be (low, high) with 0 <= low <= high')
        hi = self.face_scale[1]
        half_w, half_h = hi * FACE_ASPECT / 2, hi / 2
        if (self.face_center_x[0] < half_w or self.face_center_x[1] > 1 - half_w
                or self.face_center_y[0] < half_h or self.face_center_y[1] > 1 - half_h):
            bad('the largest face at the ends of face_center_x/y must fit in the frame')
        SceneCues(self.scene_light, self.scene_colour, self.scene_objects)  # checks the strengths
        for name in FEATURE_RANGES:
            lo, hi = getattr(self, name)
            if lo > hi:
                bad(f'{name} must be (low, high) with low <= high')
        try:  # both ends of every range must be valid drawings
            for end in (0, 1):
                FeatureDrawing(*(getattr(self, name)[end] for name in FEATURE_RANGES))
        except ValueError as err:
            bad(str(err))
        if not self.scene_sets or set(self.scene_sets) - set(SCENE_SETS):
            bad(f'scene_sets must be a non-empty subset of {tuple(SCENE_SETS)}')
        if not 0.0 <= self.crop_margin <= 1.0:
            bad('crop_margin must be in [0, 1]')
        if self.tower not in CORPUS_CONTENTS:
            bad(f'tower must be one of {tuple(CORPUS_CONTENTS)}')

    @property
    def cues(self) -> SceneCues:
        return SceneCues(self.scene_light, self.scene_colour, self.scene_objects)

    @property
    def draws_standard_features(self) -> bool:
        """Every clip gets the standard feature drawing (no draw needed)."""
        return all(tuple(getattr(self, n)) == (1.0, 1.0) for n in FEATURE_RANGES)

    @property
    def features_never_standard(self) -> bool:
        """No clip can get the standard drawing: some range leaves out 1.0."""
        return any(not lo <= 1.0 <= hi for lo, hi in (getattr(self, n) for n in FEATURE_RANGES))

    def with_(self, **changes: Any) -> 'VariantSpec':
        """A copy with some fields changed (validated)."""
        return replace(self, **changes)

    def changes(self) -> Dict[str, Any]:
        """The axes on which this spec differs from ``base`` (bookkeeping fields left out)."""
        base = VariantSpec()
        return {f.name: getattr(self, f.name) for f in fields(self)
                if f.name not in _BOOKKEEPING and getattr(self, f.name) != getattr(base, f.name)}

    def to_dict(self) -> Dict[str, Any]:
        """JSON-ready fields (tuples as lists); :data:`LATER_FIELDS` only off their default."""
        out = asdict(self)
        base = asdict(VariantSpec())
        for name in LATER_FIELDS:
            if out[name] == base[name]:
                del out[name]
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> 'VariantSpec':
        """Inverse of :meth:`to_dict` (lists back to tuples); unknown keys are an error."""
        names = {f.name for f in fields(cls)}
        unknown = set(d) - names
        if unknown:
            raise ValueError(f'unknown VariantSpec fields {sorted(unknown)}')
        out = {}
        for k, v in d.items():
            if isinstance(v, list):
                v = tuple(v)
            if k == 'ambiguous_groups':
                v = {g: tuple(c) for g, c in v.items()}
            out[k] = v
        return cls(**out)

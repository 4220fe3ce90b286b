"""ous-mm: OUS (scene-guided DFER) as an OpenMMLab/MMAction2 plugin."""
import os.path as osp

from setuptools import find_packages, setup


def read_version() -> str:
    namespace: dict = {}
    with open(osp.join('ous_mm', 'version.py')) as f:
        exec(f.read(), namespace)
    return namespace['__version__']


def read_requirements(name: str) -> list:
    """Requirement lines of requirements/<name>.txt (comments dropped)."""
    with open(osp.join('requirements', f'{name}.txt')) as f:
        return [line.split('#')[0].strip() for line in f if line.split('#')[0].strip()]


setup(
    name='ous_mm',
    version=read_version(),
    description='OUS: scene-guided dynamic facial expression recognition on MMAction2',
    long_description=open('README.md').read(),
    long_description_content_type='text/markdown',
    packages=find_packages(include=['ous_mm', 'ous_mm.*']),
    python_requires='>=3.9',
    # mmcv (with compiled ops) is built by tools/install/build_mmcv.sh: no PyPI wheel exists.
    install_requires=read_requirements('runtime'),
    extras_require={'tests': read_requirements('tests')},
    license='Apache-2.0',
    zip_safe=False,
)

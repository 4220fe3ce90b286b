"""ous-mm: OUS (scene-guided DFER) as an OpenMMLab/MMAction2 plugin."""
import glob
import os
import os.path as osp
import shutil

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py
from setuptools.command.develop import develop

#: shipped as package data in ous_mm/.mim/ (OpenMIM's place), so that a wheel install
#: finds its configs and model zoo (ous_mm/utils/model_zoo.py looks there first) and
#: `mim train ous_mm CONFIG` finds tools/train.py
MIM_FILES = ('model-index.yml', 'configs/**/*.py', 'configs/**/*.yml', 'tools/**/*.py',
             'tools/**/*.sh')
#: what an editable install links into ous_mm/.mim/ instead (MIM_FILES' top-level entries)
MIM_LINKS = ('model-index.yml', 'configs', 'tools')


def link_mim_files(root: str = '.') -> None:
    """``ous_mm/.mim/{model-index.yml,configs,tools}`` as relative links to the source tree.

    What OpenMIM reads from an installed package; an editable install points at the
    source tree (``mim`` finds the package there), so links keep it current. Ignored by
    git (.gitignore); a wheel gets copies instead (:class:`BuildPyWithMim`).
    """
    target = osp.join(root, 'ous_mm', '.mim')
    os.makedirs(target, exist_ok=True)
    for name in MIM_LINKS:
        link = osp.join(target, name)
        if osp.islink(link) or osp.isfile(link):
            os.remove(link)
        elif osp.isdir(link):
            shutil.rmtree(link)
        os.symlink(osp.join('..', '..', name), link)


class DevelopWithMim(develop):
    """``develop`` (``pip install --no-use-pep517 -e .``) that also links ``ous_mm/.mim``.

    The legacy editable install (an egg-link to the source tree) is the one OpenMIM 0.3.9
    can find: it looks for ``<distribution location>/ous_mm/.mim``, and a PEP 660
    editable install's location is site-packages, where no ``ous_mm`` folder exists.
    """

    def run(self) -> None:
        super().run()
        link_mim_files()


def read_version() -> str:
    namespace: dict = {}
    with open(osp.join('ous_mm', 'version.py')) as f:
        exec(f.read(), namespace)
    return namespace['__version__']


def read_requirements(name: str) -> list:
    """Requirement lines of requirements/<name>.txt (comments dropped)."""
    with open(osp.join('requirements', f'{name}.txt')) as f:
        return [line.split('#')[0].strip() for line in f if line.split('#')[0].strip()]


class BuildPyWithMim(build_py):
    """``build_py`` that also copies configs and model-index.yml into ``ous_mm/.mim``.

    A copy at build time (what MMAction2's setup.py does for sdist/wheel builds,
    without its argv sniffing) instead of a ``.mim`` tree in the repository:
    editable installs keep reading the source tree's configs.
    """

    def run(self) -> None:
        super().run()
        if getattr(self, 'editable_mode', False):
            link_mim_files()
            return
        target = osp.join(self.build_lib, 'ous_mm', '.mim')
        for pattern in MIM_FILES:
            for src in glob.glob(pattern, recursive=True):
                dst = osp.join(target, src)
                os.makedirs(osp.dirname(dst), exist_ok=True)
                shutil.copyfile(src, dst)


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
    cmdclass={'build_py': BuildPyWithMim, 'develop': DevelopWithMim},
    zip_safe=False,
)

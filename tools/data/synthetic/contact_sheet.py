"""Draw a contact sheet of synthetic variants (one apex frame per class, face box in green).

    python tools/data/synthetic/contact_sheet.py --out docs/images/synthetic_variants.png
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', default='docs/images/synthetic_variants.png')
    parser.add_argument('--variant', nargs='+', default=None, help='default: every variant')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--cell', type=int, default=80, help='side of one frame in pixels')
    args = parser.parse_args(argv)
    import cv2
    from ous_mm.datasets.synthetic import VARIANTS
    from ous_mm.datasets.synthetic.contact_sheet import contact_sheet
    img = contact_sheet(args.variant or list(VARIANTS), args.seed, args.cell)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    bgr = cv2.cvtColor(img, cv2.COLOR_RGB2BGR)
    if not cv2.imwrite(args.out, bgr, [cv2.IMWRITE_PNG_COMPRESSION, 9]):
        sys.exit(f'cannot write {args.out}')
    print(f'{img.shape[1]}x{img.shape[0]} -> {args.out}')


if __name__ == '__main__':
    main()

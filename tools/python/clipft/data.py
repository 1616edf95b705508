"""
The rows `npm run export:clip-tensors` writes: DIR/tensors.u8 (rows x 224 x 224 x 3 bytes, the clip
input spec's v/255 stored as v) and DIR/index.json (photos with label, near-duplicate group and fold
per repeat; rows with photo and kind). Read through a memory map, converted to float per batch.
"""
import json
import os
from dataclasses import dataclass
from typing import List

import numpy as np
import torch


@dataclass
class Rows:
    index: dict
    pixels: np.ndarray  # memmap uint8 [rows, H, W, 3]
    photo: np.ndarray  # photo index per row
    kind: List[str]
    label: np.ndarray  # 1 = cataract, per photo
    folds: np.ndarray  # [repeats, photos]

    def tensor(self, rows) -> torch.Tensor:
        """NHWC float32 in [0, 1], exactly what imageToTensor gives the served model."""
        return torch.from_numpy(np.asarray(self.pixels[np.asarray(rows)], dtype=np.float32) / 255.0)

    def rows_of(self, kinds, photos=None, photometric_copies=None) -> np.ndarray:
        """Rows of the given kinds (for the given photos), keeping only the first N photometric copies per photo."""
        keep = np.isin(np.array(self.kind), list(kinds))
        if photos is not None:
            keep &= np.isin(self.photo, np.asarray(photos))
        if photometric_copies is not None:
            seen = np.zeros(len(self.label), dtype=int)
            for r in np.flatnonzero(keep):
                if self.kind[r] == 'photometric':
                    seen[self.photo[r]] += 1
                    if seen[self.photo[r]] > photometric_copies:
                        keep[r] = False
        return np.flatnonzero(keep)

    def photo_row(self, kind: str) -> np.ndarray:
        """The one row of `kind` ('original' or 'reencoded_256') of every photo, in photo order."""
        out = np.full(len(self.label), -1)
        for r in np.flatnonzero(np.array(self.kind) == kind):
            out[self.photo[r]] = r
        if (out < 0).any():
            raise ValueError(f'some photos have no {kind} row')
        return out


def load_rows(directory: str) -> Rows:
    with open(os.path.join(directory, 'index.json')) as f:
        index = json.load(f)
    spec = index['spec']
    shape = (len(index['rows']), spec['height'], spec['width'], spec['channels'])
    path = os.path.join(directory, 'tensors.u8')
    if os.path.getsize(path) != int(np.prod(shape)):
        raise ValueError(f'{path}: {os.path.getsize(path)} bytes, expected {int(np.prod(shape))} for {shape}')
    if spec['layout'] != 'NHWC' or spec['mean'] != [0, 0, 0] or spec['std'] != [1, 1, 1]:
        raise ValueError(f'unexpected input spec {spec}')
    pixels = np.memmap(path, dtype=np.uint8, mode='r', shape=shape)
    photos = index['photos']
    return Rows(
        index=index,
        pixels=pixels,
        photo=np.array([r['photo'] for r in index['rows']]),
        kind=[r['kind'] for r in index['rows']],
        label=np.array([1 if p['label'] == 'cataract' else 0 for p in photos]),
        folds=np.array([p['folds'] for p in photos]).T,
    )

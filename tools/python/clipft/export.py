"""
The final fine-tuned model: fitted on every photo and its augmented copies, written as one ONNX
graph with the served clip model's contract (input `image` float32 [N, 224, 224, 3] NHWC in [0, 1],
output `probabilities` [N, 2] = [normal, cataract]). The standardiser and the logistic head are
folded into one Gemm before the Softmax, as train:clip does. A JSON beside the model records the
settings and the torch probabilities of a few photos, which the caller checks against onnxruntime.
"""
import json
import os
import time

import numpy as np
import torch

from .cross_validation import FIT_KINDS
from .finetune import train


class Served(torch.nn.Module):
    def __init__(self, graph, weight: torch.Tensor, bias: torch.Tensor):
        super().__init__()
        self.graph = graph
        self.weight = torch.nn.Parameter(weight, requires_grad=False)
        self.bias = torch.nn.Parameter(bias, requires_grad=False)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        embedding = self.graph.run({'image': image}, ['embedding'])['embedding']
        return torch.softmax(embedding @ self.weight.t() + self.bias, dim=1)


def folded_head(model) -> tuple:
    """[2, d] weight and [2] bias with softmax(...)[:, 1] = sigmoid(((z - mean) * inv_std) . w + b)."""
    w, b = model.wb[:-1].detach(), model.wb[-1].detach()
    weight = torch.stack([torch.zeros_like(w), w * model.inv_std])
    bias = torch.stack([torch.zeros(()), b - (model.mean * model.inv_std * w).sum()])
    return weight, bias


def export_onnx(model, rows, cache, position, photos, s, photometric, out: str, source: str, log) -> None:
    started = time.time()
    fit_rows = rows.rows_of(FIT_KINDS, photos, photometric)
    y_pos = np.empty(len(position), dtype=np.int64)
    photo_pos = np.empty(len(position), dtype=np.int64)
    y_rows = rows.label[rows.photo]
    for r, i in position.items():
        y_pos[i], photo_pos[i] = y_rows[r], rows.photo[r]
    log(f'fit: {len(fit_rows)} rows ({len(photos)} photos)')
    train(model, cache, np.array([position[r] for r in fit_rows]), y_pos, s, photo_pos, log=log)
    served = Served(model.split.graph, *folded_head(model)).eval()
    probe_rows = rows.photo_row('original')[photos[:8]]
    with torch.no_grad():
        probe = served(rows.tensor(probe_rows))[:, 1].numpy()
    example = rows.tensor(probe_rows[:2])
    torch.onnx.export(served, example, out, input_names=['image'], output_names=['probabilities'],
                      dynamic_axes={'image': {0: 'N'}, 'probabilities': {0: 'N'}}, opset_version=13, do_constant_folding=True)
    meta = {
        'command': ' '.join(['/usr/bin/python3'] + [a if ' ' not in a else repr(a) for a in __import__('sys').argv]),
        'source_model': source,
        'source_version': os.path.basename(os.path.dirname(os.path.abspath(source))),
        'photometric_exported': int(rows.index['augmentation']['photometric_copies']),
        'settings': vars(s),
        'photometric': photometric,
        'rows': int(len(fit_rows)),
        'fine_tuned_weights': {p: list(model.split.graph.param(p).shape) for p in model.split.trainable},
        'probe': [{'file': rows.index['photos'][int(rows.photo[r])]['file'], 'row': int(r), 'p_cataract': float(v)} for r, v in zip(probe_rows, probe)],
        'seconds': round(time.time() - started),
    }
    with open(out + '.json', 'w') as fh:
        json.dump(meta, fh, indent=1)
    log(f'wrote {out} and {out}.json in {meta["seconds"]} s')

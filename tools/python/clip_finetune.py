#!/usr/bin/python3
"""
Fine-tunes the clip model's last MobileNetV2 blocks (offline, torch on the CPU; the service stays
TypeScript). Reads the rows `npm run export:clip-tensors -- --out DIR` writes and the weights of an
ONNX clip model (its pooled backbone, as train:clip writes it). See tools/python/README.md.

  check DIR --model M              torch reproduces the ONNX embedding of DIR's check photos
  cv DIR --model M [--repeat R]    grouped k-fold CV (the TS tools' folds): frozen head vs fine-tuned
  fit DIR --model M --out FILE     fine-tunes on all photos, exports ONNX (+ FILE.json: settings, probe)
  --check                          smoke mode: a few rows, one fold, one epoch (seconds, not minutes)
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clipft.data import load_rows  # noqa: E402
from clipft.finetune import Model, Settings, Split, cache_rows  # noqa: E402
from clipft.metrics import figures, mean_sd  # noqa: E402
from clipft.onnx_torch import OnnxGraph  # noqa: E402
from clipft.cross_validation import cross_validate  # noqa: E402
from clipft.export import export_onnx  # noqa: E402


def log(msg: str) -> None:
    print(msg, flush=True)


def check(rows, graph: OnnxGraph) -> float:
    c = rows.index['embedding_check']
    got = graph.run({'image': rows.tensor(c['rows'])}, ['embedding'])['embedding'].numpy()
    want = np.array(c['values'], dtype=np.float32)
    if got.shape != want.shape:
        raise SystemExit(f'embedding shape {got.shape}, the ONNX backbone gave {want.shape}')
    diff = float(np.abs(got - want).max())
    log(f'check: {len(c["rows"])} photos, {want.shape[1]}-d embedding, max |torch - onnxruntime| = {diff:.3g} (values up to {np.abs(want).max():.3g})')
    return diff


def cached(rows, split: Split, cache_dir: str, model_path: str, cut: str, all_rows: np.ndarray):
    """The frozen part's outputs for every row, from cache_dir when present (keyed by model, cut, tensors)."""
    key = f'{os.path.basename(os.path.dirname(os.path.abspath(model_path)))}-{cut}-{rows.index["tensors_sha256"][:16]}-{len(all_rows)}.pt'
    path = os.path.join(cache_dir, key) if cache_dir else None
    if path and os.path.exists(path):
        log(f'frozen part: read {path}')
        return torch.load(path)
    started = time.time()
    cache = cache_rows(split, rows, all_rows, log=log)
    log(f'frozen part: {len(all_rows)} rows in {time.time() - started:.0f} s')
    if path:
        os.makedirs(cache_dir, exist_ok=True)
        torch.save(cache, path)
    return cache


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('command', choices=['check', 'cv', 'fit'])
    ap.add_argument('dir', help='output of npm run export:clip-tensors')
    ap.add_argument('--model', required=True, help='ONNX clip model (models/clip/<version>/model.onnx)')
    ap.add_argument('--cut', default=Settings.cut, help='graph tensor after which blocks are fine-tuned')
    ap.add_argument('--epochs', type=int, default=Settings.epochs)
    ap.add_argument('--lr', type=float, default=Settings.lr)
    ap.add_argument('--head-lr', type=float, default=Settings.head_lr)
    ap.add_argument('--l2', type=float, default=Settings.l2)
    ap.add_argument('--l2sp', type=float, default=Settings.l2sp)
    ap.add_argument('--train-only', choices=['', 'bn'], default='', help="'bn': fine-tune only the batch-norm scale/shift after the cut")
    ap.add_argument('--refit-head', action='store_true', help='refit the L2 logistic head on the fine-tuned embedding')
    ap.add_argument('--smoothing', type=float, default=Settings.smoothing, help='label smoothing of the fine-tuning targets')
    ap.add_argument('--batch', type=int, default=Settings.batch)
    ap.add_argument('--rows-per-photo', type=int, default=Settings.rows_per_photo, help='rows drawn per photo and epoch (0 = all rows every epoch)')
    ap.add_argument('--seed', type=int, default=Settings.seed)
    ap.add_argument('--photometric', type=int, default=None, help='photometric copies per photo used for fitting (default: all exported)')
    ap.add_argument('--repeat', type=int, default=0, help='cross-validation repeat whose folds are used')
    ap.add_argument('--folds', default=None, help='comma-separated folds to run (default: all)')
    ap.add_argument('--cache-dir', default=None, help='keep the frozen part\'s outputs here between runs')
    ap.add_argument('--json', default=None, help='cv: write per-fold figures and out-of-fold predictions here')
    ap.add_argument('--out', default=None, help='fit: the ONNX file to write')
    ap.add_argument('--threads', type=int, default=int(os.environ.get('OMP_NUM_THREADS', '2')))
    ap.add_argument('--check', action='store_true', help='smoke mode (a few rows, one fold, one epoch)')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rows = load_rows(a.dir)
    graph = OnnxGraph(onnx.load(a.model))
    graph.eval()
    if a.command == 'check':
        diff = check(rows, graph)
        if not diff < 1e-3:
            raise SystemExit(f'torch does not reproduce the ONNX embedding (max abs diff {diff})')
        return
    s = Settings(cut=a.cut, epochs=1 if a.check else a.epochs, rows_per_photo=a.rows_per_photo, smoothing=a.smoothing, refit_head=a.refit_head, train_only=a.train_only, batch=a.batch, lr=a.lr, head_lr=a.head_lr, l2=a.l2, l2sp=a.l2sp, seed=a.seed)
    split = Split(graph, s.cut)
    log(f'fine-tuned: {len(split.train_nodes)} nodes after {s.cut}, {sum(graph.param(p).numel() for p in split.trainable)} weights; cached: {", ".join(split.boundary)}')
    fit_kinds = ('original', 'resolution', 'photometric')
    photos = np.arange(len(rows.label))
    if a.check:  # a few photos per class, in and out of fold 0, so the smoke fold holds out both labels
        fold0 = rows.folds[a.repeat] == 0
        photos = np.sort(np.concatenate([np.flatnonzero((rows.label == c) & (fold0 == f))[:6] for c in (0, 1) for f in (True, False)]))
    all_rows = np.sort(np.concatenate([rows.rows_of(fit_kinds, photos, a.photometric), rows.rows_of(['reencoded_256'], photos)]))
    cache = cached(rows, split, None if a.check else a.cache_dir, a.model, s.cut, all_rows)
    position = {r: i for i, r in enumerate(all_rows)}
    model = Model(split)
    if a.command == 'cv':
        folds = [int(f) for f in a.folds.split(',')] if a.folds else None
        if a.check:
            folds = [0]
        result = cross_validate(model, rows, cache, position, photos, a.repeat, folds, s, a.photometric, log)
        result['settings'] = vars(s)
        result['command'] = ' '.join(['/usr/bin/python3'] + sys.argv)
        for name in ('frozen', 'fine_tuned'):
            f = result['per_fold'][name]
            log(f'{name}: per fold accuracy {mean_sd([x["accuracy"] for x in f])}, AUC {mean_sd([x["auc"] for x in f])}, '
                f'log-loss {mean_sd([x["log_loss"] for x in f])}; pooled {json.dumps(result["pooled"][name])}')
        if a.json:
            with open(a.json, 'w') as fh:
                json.dump(result, fh)
            log(f'wrote {a.json}')
        return
    if not a.out:
        raise SystemExit('fit needs --out FILE')
    export_onnx(model, rows, cache, position, photos, s, a.photometric, a.out, a.model, log)


if __name__ == '__main__':
    main()

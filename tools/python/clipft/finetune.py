"""
Fine-tuning the clip model's last MobileNetV2 blocks with its pooled-embedding logistic head.

The graph is split at a `cut` tensor: nodes that do not depend on it are frozen and run once per
row (their outputs the trainable part reads are cached, so an epoch only runs the last blocks);
nodes downstream of it (convolution weights and batch-norm scale/shift; running statistics stay
as trained) are fine-tuned together with a logistic head on the standardised embedding. The head
starts from an L2 logistic fit on the frozen embedding (mean log-loss + l2/2 |w|^2, the TypeScript
trainer's objective), and the backbone weights are pulled towards their pretrained values (L2-SP),
which keeps a few hundred photos from dragging an ImageNet network far.
"""
import copy
import time
from dataclasses import dataclass
from typing import Dict, List

import numpy as np
import torch
import torch.nn.functional as F

from .onnx_torch import OnnxGraph


@dataclass
class Settings:
    cut: str = 'block_14_add'
    epochs: int = 8
    rows_per_photo: int = 2  # rows drawn per photo and epoch among its copies (0 = every row every epoch)
    batch: int = 32
    lr: float = 3e-4
    head_lr: float = 1e-3
    l2: float = 0.1  # head, on standardised features, as train:clip's chosen L2
    l2sp: float = 0.01  # sum of squared weight changes, times l2sp/2
    refit_head: bool = False  # after fine-tuning, refit the L2 logistic head on the new embedding (as the frozen recipe fits it)
    smoothing: float = 0.0  # fine-tuning targets y (1 - s) + s / 2, against over-confident memorised copies
    seed: int = 42
    train_only: str = ''  # '' = every weight after the cut; 'bn' = only batch-norm scale/shift (few parameters)


class Split:
    """Frozen part / trainable part of the graph around `cut`, for the tensor `embedding`."""

    def __init__(self, graph: OnnxGraph, cut: str, embedding: str = 'embedding', image: str = 'image'):
        self.graph, self.embedding = graph, embedding
        need = graph.ancestors([embedding], {image})
        down = graph.downstream(cut)
        self.train_nodes = [i for i in need if i in down]
        self.frozen_nodes = [i for i in need if i not in down]
        if not self.train_nodes:
            raise ValueError(f'nothing of {embedding} depends on {cut}')
        produced = {o for i in self.frozen_nodes for o in graph.nodes[i].output} | {image}
        self.boundary = sorted({x for i in self.train_nodes for x in graph.nodes[i].input if x in produced})
        self.trainable = sorted({p for i in self.train_nodes for p in graph.node_params(i)
                                 if graph.param(p).dim() > 0 and not any(p.endswith(s) for s in ('moving_mean', 'moving_variance'))})

    @torch.no_grad()
    def frozen(self, images: torch.Tensor) -> Dict[str, torch.Tensor]:
        return self.graph.run({'image': images}, self.boundary, self.frozen_nodes)

    def embed(self, cached: Dict[str, torch.Tensor]) -> torch.Tensor:
        return self.graph.run(cached, [self.embedding], self.train_nodes)[self.embedding]


def cache_rows(split: Split, rows_data, rows: np.ndarray, batch: int = 32, log=print) -> Dict[str, torch.Tensor]:
    """The frozen part's outputs for `rows`, in that order (kept in float16 to halve memory)."""
    parts: Dict[str, List[torch.Tensor]] = {b: [] for b in split.boundary}
    started = time.time()
    for s in range(0, len(rows), batch):
        out = split.frozen(rows_data.tensor(rows[s:s + batch]))
        for b in split.boundary:
            parts[b].append(out[b].to(torch.float16))
        if (s // batch) % 20 == 0:
            log(f'  frozen part: {min(s + batch, len(rows))}/{len(rows)} rows, {time.time() - started:.0f} s')
    return {b: torch.cat(v) for b, v in parts.items()}


def take(cache: Dict[str, torch.Tensor], idx) -> Dict[str, torch.Tensor]:
    return {k: v[idx].float() for k, v in cache.items()}


@torch.no_grad()
def embeddings(split: Split, cache, idx: np.ndarray, batch: int = 128) -> torch.Tensor:
    return torch.cat([split.embed(take(cache, idx[s:s + batch])) for s in range(0, len(idx), batch)])


def fit_logistic(z: torch.Tensor, y: torch.Tensor, l2: float) -> torch.Tensor:
    """[w; b] minimising mean log-loss + l2/2 |w|^2 on standardised z (L-BFGS, float64)."""
    z, y = z.double(), y.double()
    wb = torch.zeros(z.shape[1] + 1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([wb], lr=1, max_iter=500, tolerance_grad=1e-9, tolerance_change=1e-12, line_search_fn='strong_wolfe')

    def closure():
        opt.zero_grad()
        loss = F.binary_cross_entropy_with_logits(z @ wb[:-1] + wb[-1], y) + 0.5 * l2 * (wb[:-1] ** 2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return wb.detach().float()


class Model:
    """Split graph + standardiser + logistic head; `state` / `restore` reset a fold to the pretrained weights."""

    def __init__(self, split: Split):
        self.split = split
        self.pretrained = {p: split.graph.param(p).detach().clone() for p in split.trainable}
        self.mean = self.inv_std = self.wb = None

    def restore(self):
        with torch.no_grad():
            for p, v in self.pretrained.items():
                self.split.graph.param(p).copy_(v)

    def logits(self, cached) -> torch.Tensor:
        z = (self.split.embed(cached) - self.mean) * self.inv_std
        return z @ self.wb[:-1] + self.wb[-1]

    @torch.no_grad()
    def predict(self, cache, idx: np.ndarray, batch: int = 128) -> np.ndarray:
        return np.concatenate([torch.sigmoid(self.logits(take(cache, idx[s:s + batch]))).numpy() for s in range(0, len(idx), batch)])


def fit_head(model: Model, cache, fit_idx: np.ndarray, y_rows: np.ndarray, l2: float) -> None:
    """Standardiser and L2 logistic head on the current embedding of the fitting rows."""
    z = embeddings(model.split, cache, fit_idx)
    model.mean = z.mean(0)
    std = z.std(0, unbiased=False)
    model.inv_std = torch.where(std > 1e-6, 1 / std, torch.zeros_like(std))
    y = torch.from_numpy(y_rows[fit_idx]).float()
    model.wb = torch.nn.Parameter(fit_logistic((z - model.mean) * model.inv_std, y, l2))


def epoch_rows(fit_idx: np.ndarray, photo_pos: np.ndarray, k: int, gen: torch.Generator) -> np.ndarray:
    """One epoch's rows in random order: all of them, or k drawn per photo among its copies."""
    if k <= 0:
        return fit_idx[torch.randperm(len(fit_idx), generator=gen).numpy()]
    keys = torch.rand(len(fit_idx), generator=gen).numpy()
    order = np.lexsort((keys, photo_pos[fit_idx]))  # by photo, random within a photo
    photos = photo_pos[fit_idx][order]
    first = np.r_[0, np.flatnonzero(np.diff(photos)) + 1]
    rank = np.arange(len(order)) - np.repeat(first, np.diff(np.r_[first, len(order)]))
    chosen = fit_idx[order[rank < k]]
    return chosen[torch.randperm(len(chosen), generator=gen).numpy()]


def train(model: Model, cache, fit_idx: np.ndarray, y_rows: np.ndarray, s: Settings, photo_pos: np.ndarray, log=print, on_epoch=None) -> None:
    """Fits the fold: head on the frozen embedding, then `s.epochs` epochs of joint fine-tuning;
    `on_epoch(k)` after the head fit (k = 0) and after every epoch."""
    model.restore()
    g = model.split.graph
    fit_head(model, cache, fit_idx, y_rows, s.l2)
    if on_epoch:
        on_epoch(0)  # the frozen model: pretrained backbone + fitted head
    if s.epochs == 0:
        return
    names = [p for p in model.split.trainable if s.train_only != 'bn' or p.endswith(('/gamma', '/beta'))]
    params = [g.param(p) for p in names]
    for p in params:
        p.requires_grad_(True)
    opt = torch.optim.Adam([{'params': params, 'lr': s.lr}, {'params': [model.wb], 'lr': s.head_lr}])
    gen = torch.Generator().manual_seed(s.seed)
    per_epoch = len(epoch_rows(fit_idx, photo_pos, s.rows_per_photo, torch.Generator().manual_seed(0)))
    steps = s.epochs * ((per_epoch + s.batch - 1) // s.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=[s.lr, s.head_lr], total_steps=steps, pct_start=0.15)
    try:
        for epoch in range(s.epochs):
            started, total = time.time(), 0.0
            order = epoch_rows(fit_idx, photo_pos, s.rows_per_photo, gen)
            for b in range(0, len(order), s.batch):
                idx = order[b:b + s.batch]
                out = model.logits(take(cache, idx))
                target = torch.from_numpy(y_rows[idx]).float() * (1 - s.smoothing) + s.smoothing / 2
                loss = F.binary_cross_entropy_with_logits(out, target)
                loss = loss + 0.5 * s.l2 * (model.wb[:-1] ** 2).sum()
                loss = loss + 0.5 * s.l2sp * sum(((g.param(p) - model.pretrained[p]) ** 2).sum() for p in model.split.trainable)
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
                total += float(loss) * len(idx)
            log(f'    epoch {epoch + 1}/{s.epochs}: train loss {total / len(order):.4f}, {time.time() - started:.0f} s')
            if on_epoch:
                on_epoch(epoch + 1)
    finally:
        for p in params:
            p.requires_grad_(False)
    if s.refit_head:
        fit_head(model, cache, fit_idx, y_rows, s.l2)
        if on_epoch:
            on_epoch(s.epochs + 1)  # the refitted head


def snapshot(model: Model) -> dict:
    return {'weights': {p: model.split.graph.param(p).detach().clone() for p in model.split.trainable},
            'mean': model.mean.clone(), 'inv_std': model.inv_std.clone(), 'wb': model.wb.detach().clone()}


def copy_settings(s: Settings, **kw) -> Settings:
    out = copy.copy(s)
    for k, v in kw.items():
        setattr(out, k, v)
    return out

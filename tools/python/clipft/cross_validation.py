"""
Grouped k-fold cross-validation of one repeat of the TypeScript tools' fold plan (index.json's
folds): per fold, the frozen model (pretrained backbone + logistic head) and the fine-tuned one are
fitted on the other folds' photos and their augmented copies, and score the held-out photos as they
are and as their 256 px JPEG copies. The held-out photos are scored after every epoch as well (a
learning curve for the write-up; the reported model is the last epoch's, fixed in advance).
"""
import time

import numpy as np

from .finetune import train
from .metrics import figures

FIT_KINDS = ('original', 'resolution', 'photometric')


def cross_validate(model, rows, cache, position, photos, repeat, folds, s, photometric, log) -> dict:
    fold_of = rows.folds[repeat]
    k = int(fold_of.max()) + 1
    orig_row, re_row = rows.photo_row('original'), rows.photo_row('reencoded_256')
    y = rows.label
    y_rows = y[rows.photo]
    oof = {name: np.full(len(y), np.nan) for name in ('frozen', 'fine_tuned', 'frozen_reencoded_256', 'fine_tuned_reencoded_256')}
    per_fold = {'frozen': [], 'fine_tuned': [], 'frozen_reencoded_256': [], 'fine_tuned_reencoded_256': []}
    curves = []
    for f in folds if folds is not None else range(k):
        started = time.time()
        held = np.array([p for p in photos if fold_of[p] == f])
        held_set = set(held.tolist())
        fit_rows = rows.rows_of(FIT_KINDS, [p for p in photos if p not in held_set], photometric)
        fit_idx = np.array([position[r] for r in fit_rows])
        held_idx = np.array([position[r] for r in orig_row[held]])
        held_re_idx = np.array([position[r] for r in re_row[held]])
        # The cache is indexed by position; labels follow the rows.
        y_pos = np.empty(len(position), dtype=np.int64)
        photo_pos = np.empty(len(position), dtype=np.int64)
        for r, i in position.items():
            y_pos[i], photo_pos[i] = y_rows[r], rows.photo[r]
        curve = []

        def score(epoch):
            p = model.predict(cache, held_idx)
            q = model.predict(cache, held_re_idx)
            curve.append({'epoch': epoch, **{k_: v for k_, v in figures(p, y[held]).items()}, 'accuracy_256': figures(q, y[held])['accuracy']})
            last = curve[-1]
            log(f'    fold {f} epoch {epoch}: held-out accuracy {last["accuracy"]:.4f} AUC {last["auc"]:.4f} log-loss {last["log_loss"]:.4f} (256 px: {last["accuracy_256"]:.4f})')
            if epoch == 0:
                oof['frozen'][held], oof['frozen_reencoded_256'][held] = p, q
            oof['fine_tuned'][held], oof['fine_tuned_reencoded_256'][held] = p, q

        log(f'  fold {f}: fit on {len(fit_idx)} rows ({len(photos) - len(held)} photos), {len(held)} held out')
        train(model, cache, fit_idx, y_pos, s, photo_pos, log=log, on_epoch=score)
        for name in per_fold:
            per_fold[name].append(figures(oof[name][held], y[held]))
        curves.append({'fold': f, 'curve': curve})
        log(f'  fold {f}: {time.time() - started:.0f} s')
    done = ~np.isnan(oof['frozen'])
    return {
        'repeat': repeat,
        'folds_run': [c['fold'] for c in curves],
        'per_fold': per_fold,
        'pooled': {name: figures(v[done], y[done]) for name, v in oof.items()},
        'curves': curves,
        'predictions': [{'file': rows.index['photos'][i]['file'], 'label': int(y[i]), 'fold': int(fold_of[i]),
                         **{name: (None if np.isnan(v[i]) else round(float(v[i]), 6)) for name, v in oof.items()}} for i in range(len(y))],
    }

"""Out-of-fold figures, defined as tools/src/common/metrics.ts and tools/src/cv/calibration.ts define them."""
import numpy as np


def accuracy(p, y, threshold=0.5) -> float:
    return float(np.mean((np.asarray(p) >= threshold).astype(int) == np.asarray(y)))


def auc(p, y) -> float:
    """ROC-AUC as the probability a cataract photo outranks a normal one (ties count 1/2)."""
    p, y = np.asarray(p, dtype=float), np.asarray(y)
    pos, neg = p[y == 1], p[y == 0]
    if not len(pos) or not len(neg):
        return float('nan')
    greater = (pos[:, None] > neg[None, :]).sum()
    ties = (pos[:, None] == neg[None, :]).sum()
    return float((greater + 0.5 * ties) / (len(pos) * len(neg)))


def log_loss(p, y) -> float:
    q = np.clip(np.asarray(p, dtype=float), 1e-12, 1 - 1e-12)
    y = np.asarray(y)
    return float(-np.mean(np.where(y == 1, np.log(q), np.log(1 - q))))


def ece(p, y, bins=10) -> float:
    p, y = np.asarray(p, dtype=float), np.asarray(y)
    b = np.minimum(bins - 1, np.floor(p * bins).astype(int))
    return float(sum(abs(p[b == k].mean() - y[b == k].mean()) * (b == k).sum() for k in range(bins) if (b == k).any()) / len(p))


def figures(p, y) -> dict:
    p, y = np.asarray(p), np.asarray(y)
    pred = (p >= 0.5).astype(int)
    return {'accuracy': accuracy(p, y), 'auc': auc(p, y), 'log_loss': log_loss(p, y), 'ece': ece(p, y),
            'false_cataract': int(((pred == 1) & (y == 0)).sum()), 'missed_cataract': int(((pred == 0) & (y == 1)).sum())}


def mean_sd(values) -> str:
    v = np.asarray(values, dtype=float)
    return f'{v.mean():.4f} ± {v.std(ddof=1) if len(v) > 1 else 0:.4f}'

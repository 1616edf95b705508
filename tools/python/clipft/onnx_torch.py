"""
An ONNX image graph run by torch, op by op, with its initializers as torch tensors: the clip
model's MobileNetV2 (as @cataract/keras-onnx writes it) becomes differentiable without rewriting
the architecture by hand, and any tensor of the graph can be fed in (a cached activation) or read
out. Only the ops that converter emits are supported; anything else fails loudly at load time.
"""
from typing import Dict, Iterable, List, Set

import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper

SUPPORTED = {
    'Transpose', 'Conv', 'BatchNormalization', 'Clip', 'Add', 'Identity', 'ReduceMean',
    'AveragePool', 'Flatten', 'Concat', 'Gemm', 'Softmax',
}


def _attrs(node) -> dict:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


class OnnxGraph(torch.nn.Module):
    """Every float initializer is a Parameter (frozen by default); `run` evaluates only the nodes
    the requested outputs need, starting from whatever tensors are fed."""

    def __init__(self, model: onnx.ModelProto):
        super().__init__()
        g = model.graph
        self.nodes = list(g.node)
        unknown = sorted({n.op_type for n in self.nodes} - SUPPORTED)
        if unknown:
            raise ValueError(f'unsupported ONNX ops: {unknown}')
        self.attrs = [_attrs(n) for n in self.nodes]
        self.weights = torch.nn.ParameterDict()
        self._key: Dict[str, str] = {}
        for init in g.initializer:
            key = init.name.replace('/', '__').replace('.', '_')
            self._key[init.name] = key
            value = torch.from_numpy(numpy_helper.to_array(init).copy())
            if not value.is_floating_point():
                raise ValueError(f'non-float initializer {init.name}')
            self.weights[key] = torch.nn.Parameter(value.float(), requires_grad=False)
        self.producer = {o: i for i, n in enumerate(self.nodes) for o in n.output}
        self.input_names = [i.name for i in g.input if i.name not in self._key]

    def param(self, name: str) -> torch.nn.Parameter:
        return self.weights[self._key[name]]

    def node_params(self, node_index: int) -> List[str]:
        return [i for i in self.nodes[node_index].input if i in self._key]

    def ancestors(self, outputs: Iterable[str], fed: Set[str]) -> List[int]:
        """Indices (graph order) of the nodes needed to compute `outputs` from `fed` tensors."""
        need: Set[int] = set()
        stack = [o for o in outputs if o not in fed]
        while stack:
            t = stack.pop()
            if t in self._key or t in fed:
                continue
            if t not in self.producer:
                raise KeyError(f'tensor {t} is neither fed nor produced by the graph')
            i = self.producer[t]
            if i in need:
                continue
            need.add(i)
            stack.extend(self.nodes[i].input)
        return sorted(need)

    def downstream(self, tensor: str) -> Set[int]:
        """Nodes whose value depends on `tensor`."""
        reached = {tensor}
        out: Set[int] = set()
        for i, n in enumerate(self.nodes):
            if any(x in reached for x in n.input):
                out.add(i)
                reached.update(n.output)
        return out

    def run(self, feeds: Dict[str, torch.Tensor], outputs: List[str], nodes: List[int] = None) -> Dict[str, torch.Tensor]:
        env = dict(feeds)
        for i in nodes if nodes is not None else self.ancestors(outputs, set(feeds)):
            n = self.nodes[i]
            args = [self.param(x) if x in self._key else env[x] if x else None for x in n.input]
            env[n.output[0]] = self._op(n.op_type, self.attrs[i], args)
        return {o: env[o] for o in outputs}

    @staticmethod
    def _op(op: str, a: dict, x: list) -> torch.Tensor:
        if op == 'Conv':
            pads = a.get('pads', [0, 0, 0, 0])  # [top, left, bottom, right]
            inp = x[0]
            if pads[0] == pads[2] and pads[1] == pads[3]:
                padding = (pads[0], pads[1])
            else:  # Keras 'same' at stride 2 pads only bottom/right
                inp = F.pad(inp, (pads[1], pads[3], pads[0], pads[2]))
                padding = (0, 0)
            return F.conv2d(inp, x[1], x[2] if len(x) > 2 else None, stride=tuple(a.get('strides', [1, 1])),
                            padding=padding, dilation=tuple(a.get('dilations', [1, 1])), groups=a.get('group', 1))
        if op == 'BatchNormalization':
            # Running statistics stay as trained (few photos; eval-mode BN), the affine part may train.
            return F.batch_norm(x[0], x[3], x[4], x[1], x[2], training=False, eps=a.get('epsilon', 1e-5))
        if op == 'Clip':
            return torch.clamp(x[0], float(x[1]), float(x[2]))
        if op == 'Add':
            return x[0] + x[1]
        if op == 'Identity':
            return x[0]
        if op == 'Transpose':
            return x[0].permute(*a['perm'])
        if op == 'ReduceMean':
            return x[0].mean(dim=tuple(a['axes']), keepdim=bool(a.get('keepdims', 1)))
        if op == 'AveragePool':
            k = a['kernel_shape']
            if any(a.get('pads', [0, 0, 0, 0])):
                raise ValueError('padded AveragePool is not supported')
            return F.avg_pool2d(x[0], tuple(k), stride=tuple(a.get('strides', k)))
        if op == 'Flatten':
            return torch.flatten(x[0], start_dim=a.get('axis', 1))
        if op == 'Concat':
            return torch.cat(x, dim=a['axis'])
        if op == 'Gemm':
            w = x[1].t() if a.get('transB', 0) else x[1]
            a_ = x[0].t() if a.get('transA', 0) else x[0]
            y = a.get('alpha', 1.0) * (a_ @ w)
            return y + a.get('beta', 1.0) * x[2] if len(x) > 2 and x[2] is not None else y
        if op == 'Softmax':
            return torch.softmax(x[0], dim=a.get('axis', -1))
        raise ValueError(op)

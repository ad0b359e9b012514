"""PyTorch side of bench/small-cnn-ops.bench.ts: the small CNN's kernels one by one (batch 64, 1 thread),
each timed in process CPU time (best of 3 blocks of repeated calls), so the tfjs kernels can be compared
op for op. Prints one JSON line {op: ms}.
"""
import json
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
REPS = 30


def cpu_ms(fn):
    fn()
    best = float('inf')
    for _ in range(3):
        start = time.process_time()
        for _ in range(REPS):
            fn()
        best = min(best, (time.process_time() - start) / REPS * 1000)
    return best


x1 = torch.rand(64, 1, 28, 28)
w1, b1 = torch.rand(16, 1, 3, 3), torch.rand(16)
y1 = torch.rand(64, 16, 28, 28)
x2 = torch.rand(64, 16, 14, 14)
w2, b2 = torch.rand(32, 16, 3, 3), torch.rand(32)
dy2 = torch.rand(64, 32, 14, 14)
p1 = torch.rand(64, 16, 14, 14)
flat, wd = torch.rand(64, 1568), torch.rand(10, 1568)
dyd = torch.rand(64, 10)
conv_bwd = torch.ops.aten.convolution_backward


def pool_grad():
    out, idx = F.max_pool2d(y1, 2, return_indices=True)
    return torch.ops.aten.max_pool2d_with_indices_backward(out, y1, [2, 2], [2, 2], [0, 0], [1, 1], False, idx)


ops = {
    'conv1 forward (1->16, 28x28) + bias + relu': lambda: F.relu(F.conv2d(x1, w1, b1, padding=1)),
    'conv1 filter gradient': lambda: conv_bwd(y1, x1, w1, [16], [1, 1], [1, 1], [1, 1], False, [0, 0], 1, [False, True, True]),
    'conv2 forward (16->32, 14x14) + bias + relu': lambda: F.relu(F.conv2d(x2, w2, b2, padding=1)),
    'conv2 filter gradient': lambda: conv_bwd(dy2, x2, w2, [32], [1, 1], [1, 1], [1, 1], False, [0, 0], 1, [False, True, True]),
    'conv2 input gradient': lambda: conv_bwd(dy2, x2, w2, None, [1, 1], [1, 1], [1, 1], False, [0, 0], 1, [True, False, False]),
    'maxpool 2x2 forward (28x28x16)': lambda: F.max_pool2d(y1, 2),
    'maxpool 2x2 forward + gradient (28x28x16)': pool_grad,
    'relu gradient (28x28x16)': lambda: torch.ops.aten.threshold_backward(y1, y1, 0.5),
    'dense 1568->10 forward + both gradients': lambda: (F.linear(flat, wd), dyd.t().mm(flat), dyd.mm(wd)),
}
print(json.dumps({name: round(cpu_ms(fn), 3) for name, fn in ops.items()}))

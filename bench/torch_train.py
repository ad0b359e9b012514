"""PyTorch reference for bench/train.bench.ts: the same two networks, op for op, trained the same way as
the tfjs side (forward + backward + update, batch B, 28x28x1 inputs, random labels): the small CNN with
Adam (lr 1e-3, like its tfjs replica), the supernet's weight step with SGD momentum 0.9, weight decay
3e-4 and gradient clipping at norm 5 (like SupernetReplica), the alphas fixed.

Usage: python3 bench/torch_train.py --net small_cnn|supernet --batch 64 --threads 1
         [--warmup 2] [--min-steps 10] [--min-seconds 4] [--max-seconds 30]
Measures at least --min-steps steps and --min-seconds seconds, stopping at --max-seconds (after one step
at least). Prints one JSON line: img_s (wall clock), img_cpu_s (images per CPU second of the process,
all threads), steps, seconds, cpu_seconds, peak_rss_mb.
"""
import argparse
import json
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc = nn.Linear(32 * 7 * 7, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(torch.flatten(x, 1))


# --- the DARTS search space (Liu et al. 2019), affine-free batch norm as in the search phase ---

def relu_conv_bn(c_in, c_out, k, stride, pad):
    return nn.Sequential(nn.ReLU(), nn.Conv2d(c_in, c_out, k, stride, pad, bias=False), nn.BatchNorm2d(c_out, affine=False))


def dil_conv(c_in, c_out, k, stride, pad, dilation):
    return nn.Sequential(
        nn.ReLU(),
        nn.Conv2d(c_in, c_in, k, stride, pad, dilation=dilation, groups=c_in, bias=False),
        nn.Conv2d(c_in, c_out, 1, bias=False),
        nn.BatchNorm2d(c_out, affine=False),
    )


def sep_conv(c_in, c_out, k, stride, pad):
    return nn.Sequential(dil_conv(c_in, c_in, k, stride, pad, 1), dil_conv(c_in, c_out, k, 1, pad, 1))


class Zero(nn.Module):
    def __init__(self, stride):
        super().__init__()
        self.stride = stride

    def forward(self, x):
        return x.mul(0.0) if self.stride == 1 else x[:, :, :: self.stride, :: self.stride].mul(0.0)


class FactorizedReduce(nn.Module):
    def __init__(self, c_in, c_out):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out // 2, 1, 2, bias=False)
        self.conv2 = nn.Conv2d(c_in, c_out // 2, 1, 2, bias=False)
        self.bn = nn.BatchNorm2d(c_out, affine=False)

    def forward(self, x):
        x = F.relu(x)
        y = F.pad(x[:, :, 1:, 1:], (0, 1, 0, 1))
        return self.bn(torch.cat([self.conv1(x), self.conv2(y)], dim=1))


PRIMITIVES = ['none', 'max_pool_3x3', 'avg_pool_3x3', 'skip_connect', 'sep_conv_3x3', 'sep_conv_5x5', 'dil_conv_3x3', 'dil_conv_5x5']


def make_op(name, c, stride):
    if name == 'none':
        return Zero(stride)
    if name == 'max_pool_3x3':
        return nn.Sequential(nn.MaxPool2d(3, stride, 1), nn.BatchNorm2d(c, affine=False))
    if name == 'avg_pool_3x3':
        return nn.Sequential(nn.AvgPool2d(3, stride, 1, count_include_pad=False), nn.BatchNorm2d(c, affine=False))
    if name == 'skip_connect':
        return nn.Identity() if stride == 1 else FactorizedReduce(c, c)
    if name == 'sep_conv_3x3':
        return sep_conv(c, c, 3, stride, 1)
    if name == 'sep_conv_5x5':
        return sep_conv(c, c, 5, stride, 2)
    if name == 'dil_conv_3x3':
        return dil_conv(c, c, 3, stride, 2, 2)
    if name == 'dil_conv_5x5':
        return dil_conv(c, c, 5, stride, 4, 2)
    raise ValueError(name)


class MixedOp(nn.Module):
    def __init__(self, c, stride):
        super().__init__()
        self.ops = nn.ModuleList(make_op(p, c, stride) for p in PRIMITIVES)

    def forward(self, x, weights):
        return sum(w * op(x) for w, op in zip(weights, self.ops))


class SearchCell(nn.Module):
    def __init__(self, steps, c_pp, c_p, c, reduction, reduction_prev):
        super().__init__()
        self.pre0 = FactorizedReduce(c_pp, c) if reduction_prev else relu_conv_bn(c_pp, c, 1, 1, 0)
        self.pre1 = relu_conv_bn(c_p, c, 1, 1, 0)
        self.steps = steps
        self.reduction = reduction
        self.ops = nn.ModuleList()
        for i in range(steps):
            for j in range(2 + i):
                self.ops.append(MixedOp(c, 2 if reduction and j < 2 else 1))

    def forward(self, s0, s1, weights):
        states = [self.pre0(s0), self.pre1(s1)]
        offset = 0
        for _ in range(self.steps):
            s = sum(self.ops[offset + j](h, weights[offset + j]) for j, h in enumerate(states))
            offset += len(states)
            states.append(s)
        return torch.cat(states[-self.steps:], dim=1)


class Supernet(nn.Module):
    def __init__(self, c=8, layers=4, steps=4, stem_channels=16, classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, stem_channels, 3, padding=1, bias=False), nn.BatchNorm2d(stem_channels))
        c_pp, c_p, c_cur = stem_channels, stem_channels, c
        self.cells = nn.ModuleList()
        reduction_prev = False
        for i in range(layers):
            reduction = i in [layers // 3, 2 * layers // 3]
            if reduction:
                c_cur *= 2
            self.cells.append(SearchCell(steps, c_pp, c_p, c_cur, reduction, reduction_prev))
            reduction_prev = reduction
            c_pp, c_p = c_p, steps * c_cur
        self.classifier = nn.Linear(c_p, classes)
        edges = sum(2 + i for i in range(steps))
        self.alphas_normal = nn.Parameter(1e-3 * torch.randn(edges, len(PRIMITIVES)), requires_grad=False)
        self.alphas_reduce = nn.Parameter(1e-3 * torch.randn(edges, len(PRIMITIVES)), requires_grad=False)

    def forward(self, x):
        s0 = s1 = self.stem(x)
        for cell in self.cells:
            w = F.softmax(self.alphas_reduce if cell.reduction else self.alphas_normal, dim=-1)
            s0, s1 = s1, cell(s0, s1, w)
        return self.classifier(F.adaptive_avg_pool2d(s1, 1).flatten(1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--net', choices=['small_cnn', 'supernet'], required=True)
    parser.add_argument('--batch', type=int, default=64)
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--min-steps', type=int, default=10)
    parser.add_argument('--min-seconds', type=float, default=4.0)
    parser.add_argument('--max-seconds', type=float, default=30.0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    net = SmallCNN() if args.net == 'small_cnn' else Supernet()
    params = [p for p in net.parameters() if p.requires_grad]
    if args.net == 'small_cnn':
        opt = torch.optim.Adam(params, lr=1e-3)
    else:
        opt = torch.optim.SGD(params, lr=0.025, momentum=0.9, weight_decay=3e-4)
    x = torch.rand(args.batch, 1, 28, 28)
    y = torch.randint(0, 10, (args.batch,))

    def step():
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(net(x), y).backward()
        if args.net == 'supernet':
            nn.utils.clip_grad_norm_(params, 5.0)
        opt.step()

    for _ in range(args.warmup):
        step()
    start, cpu_start = time.perf_counter(), time.process_time()
    steps = 0
    while True:
        step()
        steps += 1
        elapsed = time.perf_counter() - start
        if (steps >= args.min_steps and elapsed >= args.min_seconds) or elapsed >= args.max_seconds:
            break
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    print(json.dumps({
        'net': args.net, 'batch': args.batch, 'threads': args.threads, 'torch': torch.__version__,
        'img_s': args.batch * steps / seconds, 'img_cpu_s': args.batch * steps / cpu_seconds,
        'steps': steps, 'seconds': seconds, 'cpu_seconds': cpu_seconds,
        'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == '__main__':
    main()

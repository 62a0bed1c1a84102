"""PyTorch peer of the autodiff suite: the same policy workload in float64 on `threads` CPU threads.

Usage: python3 torch_policy.py INPUT.json  (written by bench/src/suites/autodiff-torch.ts).
INPUT holds the policy's leaves in pytree order (W1, b1, W2, b2, W3, b3, logStd), the batch,
a direction for the Hessian-vector product, the MAML step size, the thread count and the timing budget. Prints
one JSON object: per-call seconds of every sample for each workload, plus the HVP and the
meta-gradient (flattened) so the caller can check that both libraries computed the same thing.
"""

import json
import math
import sys
import time

import torch

HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
SLOW_CALL_S = 0.1  # as bench/src/infra/measure.ts: slower calls are timed a few times directly
SLOW_REPS = 3


def tensor(t):
    return torch.tensor(t["data"], dtype=torch.float64).reshape(t["shape"])


def objective(p, obs, actions, advantages):
    w1, b1, w2, b2, w3, b3, log_std = p
    h1 = torch.tanh(obs @ w1 + b1)
    h2 = torch.tanh(h1 @ w2 + b2)
    mu = h2 @ w3 + b3
    z = (actions - mu) * torch.exp(-log_std)
    log_prob = (-0.5 * z * z - log_std - HALF_LOG_2PI).sum(-1)
    return (log_prob * advantages).mean()


def flat(ts):
    return torch.cat([t.reshape(-1) for t in ts]).tolist()


def per_call_seconds(fn, max_time, min_samples):
    t0 = time.perf_counter()
    fn()  # warm-up
    if time.perf_counter() - t0 > SLOW_CALL_S:
        fn()
        min_samples, max_time = SLOW_REPS, 0.0
    samples = []
    start = time.perf_counter()
    while len(samples) < min_samples or time.perf_counter() - start < max_time:
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return samples


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    torch.set_num_threads(spec.get("threads", 1))
    params = [tensor(t).requires_grad_(True) for t in spec["params"]]
    direction = [tensor(t) for t in spec["direction"]]
    obs, actions, advantages = (tensor(spec[k]) for k in ("obs", "actions", "advantages"))
    alpha = spec["alpha"]

    def J(p):
        return objective(p, obs, actions, advantages)

    def forward():
        with torch.no_grad():
            return J(params).item()

    def value_and_grad():
        value = J(params)
        return value.item(), torch.autograd.grad(value, params)

    def hvp():
        g = torch.autograd.grad(J(params), params, create_graph=True)
        gv = sum((gi * vi).sum() for gi, vi in zip(g, direction))
        return torch.autograd.grad(gv, params)

    def maml():
        g = torch.autograd.grad(J(params), params, create_graph=True)
        adapted = [p + alpha * gi for p, gi in zip(params, g)]
        return torch.autograd.grad(J(adapted), params)

    workloads = {"forward": forward, "valueAndGrad": value_and_grad, "hvp": hvp, "maml": maml}
    timings = {
        name: per_call_seconds(fn, spec["maxTime"], spec["minSamples"]) for name, fn in workloads.items()
    }
    out = {
        "version": torch.__version__,
        "threads": torch.get_num_threads(),
        "timings": timings,
        "hvp": flat(hvp()),
        "metaGrad": flat(maml()),
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()

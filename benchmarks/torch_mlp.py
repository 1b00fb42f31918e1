"""The PyTorch twin of `nn.mlp(sizes, "relu")` that the benchmarks race against."""


def torch_mlp(sizes: list[int], seed: int):
    """Linear → ReLU layers, He-normal weights and zero biases, logits out (as numpynn's mlp)."""
    import torch

    torch.manual_seed(seed)
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        linear = torch.nn.Linear(fan_in, fan_out)
        torch.nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
        torch.nn.init.zeros_(linear.bias)
        layers += [linear] + ([torch.nn.ReLU()] if i < len(sizes) - 2 else [])
    return torch.nn.Sequential(*layers)

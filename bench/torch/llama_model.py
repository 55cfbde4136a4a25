"""A LLaMA-shaped decoder in plain torch, float32, with Hugging Face's parameter names.

It reads the config.json and safetensors that llmgraph's HF export writes (model types llama, mistral and
qwen2 without sliding windows or RoPE scaling) and is written from the LLaMA paper's description:
token embedding; per block x + attention(rms_norm(x)), then x + swiglu(rms_norm(x)); a final RMSNorm; the
output head, or the embedding matrix itself when the embeddings are tied. Attention is causal softmax
attention with grouped K/V heads (query head h reads K/V head h // (heads / kv_heads)) and RoPE in HF's
convention: each head's vector is rotated in halves, pairs (i, i + head_dim / 2). llmgraph's export has
already permuted the q and k rows into that convention, so nothing is permuted here.
"""

import json
import math
import os

import torch
import torch.nn.functional as F
from torch import nn

import safetensors_file


class Config:
    """The architecture fields of config.json; anything this model cannot run is refused by name."""

    def __init__(self, path):
        with open(path) as f:
            c = json.load(f)
        kind = c.get("model_type")
        if kind not in ("llama", "mistral", "qwen2"):
            raise ValueError("%s: model_type = %r; this reference runs llama, mistral and qwen2" % (path, kind))
        for field, allowed in (("hidden_act", ("silu",)), ("rope_scaling", (None,)), ("sliding_window", (None,))):
            if c.get(field) not in allowed:
                raise ValueError("%s: %s = %r; this reference supports %r only"
                                 % (path, field, c.get(field), allowed))
        if c.get("use_sliding_window"):
            raise ValueError("%s: use_sliding_window = true; this reference has no sliding window" % path)
        self.vocab = c["vocab_size"]
        self.d_model = c["hidden_size"]
        self.layers = c["num_hidden_layers"]
        self.heads = c["num_attention_heads"]
        self.kv_heads = c.get("num_key_value_heads", self.heads)
        self.head_dim = c.get("head_dim") or self.d_model // self.heads
        self.ffn = c["intermediate_size"]
        self.norm_eps = c.get("rms_norm_eps", 1e-6)
        self.rope_theta = c.get("rope_theta", 10000.0)
        self.max_positions = c.get("max_position_embeddings", 2048)
        self.tied = c.get("tie_word_embeddings", False)
        llama_bias = kind == "llama" and c.get("attention_bias", False)
        self.qkv_bias = llama_bias or kind == "qwen2"
        self.out_bias = llama_bias
        self.mlp_bias = kind == "llama" and c.get("mlp_bias", False)


class RmsNorm(nn.Module):
    def __init__(self, width, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(width))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_tables(config, tokens):
    """cos and sin [tokens, head_dim], each angle repeated for both halves; angles computed in float64."""
    half = config.head_dim // 2
    inverse_frequency = config.rope_theta ** (-torch.arange(half, dtype=torch.float64) * 2 / config.head_dim)
    angles = torch.outer(torch.arange(tokens, dtype=torch.float64), inverse_frequency)
    angles = torch.cat([angles, angles], dim=-1)
    return angles.cos().float(), angles.sin().float()


def rotate(x, cos, sin):
    """RoPE on [batch, heads, tokens, head_dim]: (a, b) -> (a cos - b sin, b cos + a sin) for a in the
    first half and b in the second."""
    first, second = x.chunk(2, dim=-1)
    return x * cos + torch.cat([-second, first], dim=-1) * sin


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.q_proj = nn.Linear(c.d_model, c.heads * c.head_dim, bias=c.qkv_bias)
        self.k_proj = nn.Linear(c.d_model, c.kv_heads * c.head_dim, bias=c.qkv_bias)
        self.v_proj = nn.Linear(c.d_model, c.kv_heads * c.head_dim, bias=c.qkv_bias)
        self.o_proj = nn.Linear(c.heads * c.head_dim, c.d_model, bias=c.out_bias)

    def forward(self, x, cos, sin):
        c = self.c
        batch, tokens, _ = x.shape
        q = self.q_proj(x).view(batch, tokens, c.heads, c.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(batch, tokens, c.kv_heads, c.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(batch, tokens, c.kv_heads, c.head_dim).transpose(1, 2)
        q, k = rotate(q, cos, sin), rotate(k, cos, sin)
        group = c.heads // c.kv_heads
        k = k.repeat_interleave(group, dim=1)
        v = v.repeat_interleave(group, dim=1)
        scores = q @ k.transpose(-2, -1) / math.sqrt(c.head_dim)
        future = torch.ones(tokens, tokens, dtype=torch.bool).triu(1)
        weights = scores.masked_fill(future, float("-inf")).softmax(dim=-1)
        mixed = (weights @ v).transpose(1, 2).reshape(batch, tokens, c.heads * c.head_dim)
        return self.o_proj(mixed)


class SwiGlu(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.gate_proj = nn.Linear(c.d_model, c.ffn, bias=c.mlp_bias)
        self.up_proj = nn.Linear(c.d_model, c.ffn, bias=c.mlp_bias)
        self.down_proj = nn.Linear(c.ffn, c.d_model, bias=c.mlp_bias)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.input_layernorm = RmsNorm(c.d_model, c.norm_eps)
        self.self_attn = Attention(c)
        self.post_attention_layernorm = RmsNorm(c.d_model, c.norm_eps)
        self.mlp = SwiGlu(c)

    def forward(self, x, cos, sin):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin)
        return x + self.mlp(self.post_attention_layernorm(x))


class Body(nn.Module):
    """HF's `model.` prefix: embeddings, blocks, final norm."""

    def __init__(self, c):
        super().__init__()
        self.embed_tokens = nn.Embedding(c.vocab, c.d_model)
        self.layers = nn.ModuleList(Block(c) for _ in range(c.layers))
        self.norm = RmsNorm(c.d_model, c.norm_eps)


class Llama(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.model = Body(config)
        self.lm_head = None if config.tied else nn.Linear(config.d_model, config.vocab, bias=False)

    def forward(self, ids):
        """Logits [batch, tokens, vocab] of ids [batch, tokens]."""
        cos, sin = rope_tables(self.config, ids.shape[1])
        x = self.model.embed_tokens(ids)
        for block in self.model.layers:
            x = block(x, cos, sin)
        x = self.model.norm(x)
        head = self.model.embed_tokens.weight if self.lm_head is None else self.lm_head.weight
        return x @ head.t()

    def loss(self, inputs, targets):
        """Mean cross-entropy over every target position of the batch."""
        logits = self(inputs)
        return F.cross_entropy(logits.reshape(-1, self.config.vocab), targets.reshape(-1))


def load(folder):
    """The model in `folder` (config.json and safetensors), every tensor float32; missing or extra tensors
    are named in the error."""
    model = Llama(Config(os.path.join(folder, "config.json")))
    tensors = safetensors_file.read_folder(folder)
    expected = set(model.state_dict())
    missing, extra = sorted(expected - set(tensors)), sorted(set(tensors) - expected)
    if missing or extra:
        raise ValueError("%s: the checkpoint does not fit config.json: missing %s, unexpected %s"
                         % (folder, missing, extra))
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if tuple(parameter.shape) != tuple(tensors[name].shape):
                raise ValueError("%s: tensor %s has shape %s; config.json needs %s"
                                 % (folder, name, list(tensors[name].shape), list(parameter.shape)))
            parameter.copy_(tensors[name])
    return model

// Parameter initialisers of rein::nn::init (torch.nn.init), each drawing from an explicit
// Generator and writing in place into the parameter's value (seen by every handle).
// Tensors must be float32 or float64; fan_in/fan_out follow PyTorch (dims 1 and 0 times the
// receptive field of the remaining dims). Throw rein::Error on tensors with fewer than 2 dims
// where a fan is needed.
#pragma once

#include "autograd/var.h"
#include "tensor/generator.h"

namespace rein::nn::init {

void constant_(const Var& param, double value);
void zeros_(const Var& param);
void ones_(const Var& param);
void uniform_(const Var& param, double low, double high, Generator& gen);
void normal_(const Var& param, double mean, double std, Generator& gen);

// (Semi-)orthogonal matrix times gain, from the QR decomposition of a Gaussian matrix with the
// signs of R's diagonal folded in (Saxe et al. 2013; torch.nn.init.orthogonal_). PPO uses
// gain sqrt(2) for hidden layers, 0.01 for the policy head and 1 for the value head.
void orthogonal_(const Var& param, double gain, Generator& gen);

// Glorot & Bengio 2010: U(-a, a), a = gain sqrt(6 / (fan_in + fan_out)); normal: std =
// gain sqrt(2 / (fan_in + fan_out)).
void xavier_uniform_(const Var& param, Generator& gen, double gain = 1.0);
void xavier_normal_(const Var& param, Generator& gen, double gain = 1.0);

// He et al. 2015 with fan_in and the ReLU gain sqrt(2) by default: U(-b, b),
// b = gain sqrt(3 / fan_in); normal: std = gain / sqrt(fan_in).
void kaiming_uniform_(const Var& param, Generator& gen, double gain = 1.4142135623730951);
void kaiming_normal_(const Var& param, Generator& gen, double gain = 1.4142135623730951);

// torch.nn.init.calculate_gain for "linear", "sigmoid", "tanh" (5/3), "relu" (sqrt 2).
double calculate_gain(const char* nonlinearity);

}  // namespace rein::nn::init

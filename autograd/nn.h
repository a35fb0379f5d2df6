// Everything of rein::nn in one include: Module, layers, initialisers and losses.
#pragma once

#include "autograd/init.h"
#include "autograd/layers.h"
#include "autograd/loss.h"
#include "autograd/module.h"
#include "autograd/ops.h"

// gradcheck: compares backward() with central finite differences in float64, for tests of every
// differentiable op here and of composite functions in other layers.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "autograd/var.h"

namespace rein {

struct GradcheckOptions {
  double eps = 1e-6;        // finite-difference step (central differences)
  double tolerance = 1e-6;  // pass when |analytic - numeric| <= tolerance * max(1, |numeric|)
};

struct GradcheckResult {
  bool ok = false;
  double max_error = 0.0;  // the largest |analytic - numeric| / max(1, |numeric|) seen
  std::string message;     // on failure: input index, element, both values; else empty
};

// `fn` maps the inputs to one Var of any shape. Inputs must be float64 (gradcheck throws
// rein::Error otherwise); those with requires_grad are checked. For every output element o and
// input element x it compares d o / d x from backward() with (fn(x + eps) - fn(x - eps)) / 2eps,
// i.e. the full Jacobian, so keep inputs small. The inputs' values are restored afterwards.
GradcheckResult gradcheck(const std::function<Var(const std::vector<Var>&)>& fn,
                          const std::vector<Var>& inputs, const GradcheckOptions& options = {});

}  // namespace rein

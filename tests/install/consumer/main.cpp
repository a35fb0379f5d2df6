// Uses the installed rein headers and libraries; exits 0 when the result is right.
#include <iostream>

#include "tensor/ops.h"
#include "tensor/tensor.h"

int main() {
  rein::Tensor a = rein::tensor({{1, 2}, {3, 4}});
  rein::Tensor b = rein::matmul(a, rein::eye(2));
  double total = rein::sum(b).item();
  std::cout << "sum = " << total << "\n";
  return total == 10.0 ? 0 : 1;
}

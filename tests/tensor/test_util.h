// Helpers for the tensor tests: compare a tensor with expected values, assert error text.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace rein::testing {

// Shape and every value (within tol) of t.
inline void expect_tensor(const Tensor& t, const Shape& shape, const std::vector<double>& values,
                          double tol = 1e-6) {
  ASSERT_EQ(to_string(t.shape()), to_string(shape));
  const std::vector<double> got = t.tolist();
  ASSERT_EQ(got.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_NEAR(got[i], values[i], tol) << "element " << i << " of " << t;
  }
}

// Runs f, which must throw rein::Error whose message contains `text`.
template <typename F>
void expect_error(F&& f, const std::string& text) {
  try {
    f();
    ADD_FAILURE() << "expected rein::Error containing: " << text;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(text), std::string::npos)
        << "message: " << e.what() << "\nexpected to contain: " << text;
  }
}

}  // namespace rein::testing

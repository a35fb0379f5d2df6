// SumTree for prioritized replay (see the header).
#include "rl/internal/sum_tree.h"

#include <algorithm>

#include "base/error.h"

namespace rein::rl::internal {

SumTree::SumTree(int64_t size) : size_(size), base_(1) {
  if (size < 1) throw Error(str("SumTree: size must be >= 1, got ", size));
  while (base_ < size) base_ *= 2;
  nodes_.assign(static_cast<size_t>(2 * base_), 0.0);
}

void SumTree::set(int64_t leaf, double priority) {
  size_t k = static_cast<size_t>(base_ + leaf);
  nodes_[k] = priority;
  for (k /= 2; k >= 1; k /= 2) nodes_[k] = nodes_[2 * k] + nodes_[2 * k + 1];
}

int64_t SumTree::find(double mass) const {
  mass = std::clamp(mass, 0.0, total());
  size_t k = 1;
  while (k < static_cast<size_t>(base_)) {
    const size_t left = 2 * k;
    // Go right when the mass lies past the left subtree, or when the left one is empty (the
    // clamp can leave mass == total, which would otherwise end on a zero leaf).
    if (mass >= nodes_[left] || nodes_[left] <= 0.0) {
      if (nodes_[left + 1] > 0.0) {
        mass -= nodes_[left];
        k = left + 1;
        continue;
      }
    }
    k = left;
  }
  return std::min<int64_t>(static_cast<int64_t>(k) - base_, size_ - 1);
}

std::vector<double> SumTree::leaves() const {
  return {nodes_.begin() + base_, nodes_.begin() + base_ + size_};
}

void SumTree::set_leaves(const std::vector<double>& values) {
  if (static_cast<int64_t>(values.size()) != size_)
    throw Error(str("SumTree: ", values.size(), " leaves given for a tree of ", size_));
  std::fill(nodes_.begin(), nodes_.end(), 0.0);
  std::copy(values.begin(), values.end(), nodes_.begin() + base_);
  for (int64_t k = base_ - 1; k >= 1; --k)
    nodes_[static_cast<size_t>(k)] =
        nodes_[static_cast<size_t>(2 * k)] + nodes_[static_cast<size_t>(2 * k + 1)];
}

}  // namespace rein::rl::internal

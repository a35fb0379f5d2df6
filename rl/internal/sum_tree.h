// SumTree: the binary tree of priority sums behind prioritized experience replay (Schaul et al.
// 2016, "Prioritized Experience Replay", arXiv:1511.05952, appendix B.2.1): O(log n) update of a
// leaf and O(log n) lookup of the leaf that holds a given prefix sum.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace rein::rl::internal {

// Leaves 0..size-1 hold non-negative priorities (0 = never sampled). Sums are doubles and each
// update recomputes the path from its children, so no rounding drift accumulates over millions
// of updates. Thread-safety: one thread at a time.
class SumTree {
 public:
  explicit SumTree(int64_t size);

  int64_t size() const { return size_; }
  double total() const { return nodes_[1]; }
  double get(int64_t leaf) const { return nodes_[static_cast<size_t>(base_ + leaf)]; }
  void set(int64_t leaf, double priority);
  // The leaf i with prefix(i) <= mass < prefix(i) + get(i), where prefix(i) is the sum of the
  // leaves before i; `mass` is clamped into [0, total()). Never returns a zero-priority leaf
  // when total() > 0.
  int64_t find(double mass) const;
  // The leaf values in order (for checkpoints) and their restore.
  std::vector<double> leaves() const;
  void set_leaves(const std::vector<double>& values);

 private:
  int64_t size_;
  int64_t base_;               // first leaf's node index (a power of two)
  std::vector<double> nodes_;  // 1-based heap layout; node k has children 2k and 2k + 1
};

}  // namespace rein::rl::internal

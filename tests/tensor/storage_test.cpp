// Tensor storage reuse: a steady loop takes its blocks from the per-thread cache instead of the
// heap, a thread's cache is returned to the heap when the thread ends, and the cache is bounded.
// Blocks are counted by replacing the aligned operator new/delete that storage uses (nothing
// else in rein_tensor allocates with an alignment argument).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <thread>
#include <vector>

#include "tensor/ops.h"
#include "tensor/tensor.h"

#if !defined(__SANITIZE_ADDRESS__)  // the sanitizer owns operator new, and storage skips its cache

namespace {
std::atomic<int64_t> g_aligned_news{0};
std::atomic<int64_t> g_aligned_deletes{0};
}  // namespace

void* operator new(std::size_t bytes, std::align_val_t align) {
  const auto a = static_cast<std::size_t>(align);
  void* p = std::aligned_alloc(a, (bytes + a - 1) / a * a);
  if (p == nullptr) throw std::bad_alloc();
  ++g_aligned_news;
  return p;
}
void operator delete(void* p, std::align_val_t) noexcept {
  if (p == nullptr) return;
  ++g_aligned_deletes;
  std::free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t align) noexcept {
  operator delete(p, align);
}

namespace rein {
namespace {

int64_t outstanding_blocks() { return g_aligned_news - g_aligned_deletes; }

// A step that allocates and frees tensors of several size classes, like a training step.
double small_step() {
  Tensor a = full({256, 256}, 1.0);  // 256 KiB: above glibc's default mmap threshold
  Tensor b = a * 2.0;
  Tensor c = sum(b, 0);  // 1 KiB
  Tensor d = empty({3});
  return c.data<float>()[0] + static_cast<double>(d.numel());
}

TEST(Storage, ASteadyLoopTakesNoBlockFromTheHeap) {
  small_step();  // fills the cache
  const int64_t news = g_aligned_news;
  for (int i = 0; i < 100; ++i) EXPECT_EQ(small_step(), 512.0 + 3.0);
  EXPECT_EQ(g_aligned_news, news);
}

TEST(Storage, AThreadReturnsItsCachedBlocksWhenItEnds) {
  const int64_t before = outstanding_blocks();
  std::vector<Tensor> handed_over;
  std::thread maker([&] {  // a fresh thread: its cache is empty, every block is new
    for (int64_t n : {10, 1000, 100000}) handed_over.push_back(full({n}, 2.0));
  });
  maker.join();
  std::thread worker([&] {
    handed_over.clear();  // the maker's blocks land in the worker's cache...
    for (int64_t n : {10, 1000, 100000}) {
      Tensor t = full({n}, 3.0);  // ...are reused here, and cached again
      EXPECT_EQ(t.data<float>()[n - 1], 3.0f);
    }
  });
  worker.join();  // the worker's cache goes back to the heap as it ends
  EXPECT_EQ(outstanding_blocks(), before);
}

TEST(Storage, TheCacheOfOneThreadIsBounded) {
  std::thread worker([] {
    const int64_t before = outstanding_blocks();
    {
      std::vector<Tensor> many;
      for (int i = 0; i < 100; ++i) many.push_back(empty({256 * 1024}));  // 1 MiB each
    }
    EXPECT_LE(outstanding_blocks() - before, 64);  // 64 MiB per thread at most
    EXPECT_GT(outstanding_blocks() - before, 0);   // but some are kept
  });
  worker.join();
}

TEST(Storage, TensorsOutlivingTheCacheAreFreedAtExit) {
  // Destroyed after the main thread's cache (statics go after thread_locals): must not touch it.
  static const Tensor kept = full({1000}, 1.0);
  EXPECT_EQ(kept.data<float>()[999], 1.0f);
}

}  // namespace
}  // namespace rein

#endif  // !defined(__SANITIZE_ADDRESS__)

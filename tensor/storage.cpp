// Storage allocation: the control block, the Storage struct and the elements share one aligned
// heap block, so creating a tensor costs a single allocation, and freed blocks are kept in a
// per-thread cache of size classes so that a training step reuses the last step's blocks.
//
// Why a cache here rather than malloc tuning: a training step frees all its temporaries at once,
// and with glibc's defaults the top of the heap then exceeds the 128 KiB trim threshold, so
// glibc returns it to the kernel (brk) and the next step faults every page back in; blocks
// above the mmap threshold are mapped and unmapped on every step. That cost 7x on a small PPO
// update (docs/PERFORMANCE.md). mallopt() fixes it only for the process that calls it, changes
// the heap policy of whatever program embeds rein (a Python interpreter), and is glibc-only.
// Owning the reuse in the layer that owns the buffers makes the fast path the default for every
// user of the library, with any malloc.
#include "tensor/internal/storage.h"

#include <array>
#include <bit>
#include <new>
#include <vector>

namespace rein::internal {
namespace {

// Blocks whose payload exceeds this go straight to the system allocator: for them the
// arithmetic dwarfs a page fault per page.
constexpr size_t kLargestCachedBytes = size_t{16} << 20;
// At most this many payload bytes wait in one thread's cache; frees beyond it go to the system.
constexpr size_t kCacheBytesPerThread = size_t{64} << 20;

// Size classes of the payload: 64 bytes, then four classes per power of two (80, 96, 112, 128,
// 160, ...), so a block is at most 25% larger than asked for and any cached block of a class
// fits every request of that class.
constexpr size_t kSmallestClassBytes = 64;
constexpr int kClasses = 1 + 4 * (std::bit_width(kLargestCachedBytes - 1) - 6);

struct SizeClass {
  int index;     // -1: not cached
  size_t bytes;  // payload bytes allocated for the request
};

SizeClass size_class(size_t nbytes) {
  if (nbytes > kLargestCachedBytes) return {-1, nbytes};
  if (nbytes <= kSmallestClassBytes) return {0, kSmallestClassBytes};
  const int p = std::bit_width(nbytes - 1) - 1;  // 2^p < nbytes <= 2^(p+1), p >= 6
  const size_t step = size_t{1} << (p - 2);
  const size_t quarters = (nbytes - (size_t{1} << p) + step - 1) / step;  // 1..4
  return {1 + 4 * (p - 6) + static_cast<int>(quarters) - 1, (size_t{1} << p) + quarters * step};
}

void* system_allocate(size_t bytes) {
  return ::operator new(bytes, std::align_val_t(kStorageAlignment));
}
void system_free(void* block) { ::operator delete(block, std::align_val_t(kStorageAlignment)); }

// Set when this thread's cache has been destroyed (thread exit, or static tensors destroyed
// after it at process exit): later frees bypass it. Trivially destructible, so it stays
// readable until the thread ends.
thread_local bool t_cache_gone = false;

class BlockCache {
 public:
  BlockCache() = default;
  BlockCache(const BlockCache&) = delete;
  BlockCache& operator=(const BlockCache&) = delete;
  ~BlockCache() {
    for (auto& blocks : free_)
      for (void* b : blocks) system_free(b);
    t_cache_gone = true;
  }

  void* take(int index) {
    std::vector<void*>& blocks = free_[static_cast<size_t>(index)];
    if (blocks.empty()) return nullptr;
    void* b = blocks.back();
    blocks.pop_back();
    cached_bytes_ -= class_payload_[static_cast<size_t>(index)];
    return b;
  }
  // Keeps the block for reuse; false when the cache is full (the caller frees it).
  bool give(int index, size_t payload, void* block) {
    if (cached_bytes_ + payload > kCacheBytesPerThread) return false;
    free_[static_cast<size_t>(index)].push_back(block);
    class_payload_[static_cast<size_t>(index)] = payload;
    cached_bytes_ += payload;
    return true;
  }

 private:
  std::array<std::vector<void*>, kClasses> free_;
  std::array<size_t, kClasses> class_payload_{};
  size_t cached_bytes_ = 0;
};

// AddressSanitizer builds skip the cache: a freed block must go back to the sanitizer's
// allocator for it to report a use after free.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kUseCache = false;
#else
constexpr bool kUseCache = true;
#endif

BlockCache* thread_cache() {
  if (!kUseCache || t_cache_gone) return nullptr;
  thread_local BlockCache cache;
  return &cache;
}

// Allocator for std::allocate_shared that appends room for `nbytes` of payload after the
// control block and reports where it starts. allocate_shared calls allocate() exactly once,
// and deallocate() from whichever thread drops the last reference.
template <typename T>
struct TailAllocator {
  using value_type = T;
  size_t nbytes;
  void** tail;  // receives the aligned address just past the control block

  TailAllocator(size_t n, void** t) : nbytes(n), tail(t) {}
  template <typename U>
  TailAllocator(const TailAllocator<U>& o) : nbytes(o.nbytes), tail(o.tail) {}  // NOLINT

  static size_t head_bytes(size_t n) {
    size_t bytes = n * sizeof(T);
    return (bytes + kStorageAlignment - 1) / kStorageAlignment * kStorageAlignment;
  }
  T* allocate(size_t n) {
    const SizeClass c = size_class(nbytes);
    char* block = nullptr;
    if (BlockCache* cache = c.index >= 0 ? thread_cache() : nullptr) {
      block = static_cast<char*>(cache->take(c.index));
    }
    if (block == nullptr) block = static_cast<char*>(system_allocate(head_bytes(n) + c.bytes));
    *tail = block + head_bytes(n);
    return reinterpret_cast<T*>(block);
  }
  void deallocate(T* p, size_t) {
    const SizeClass c = size_class(nbytes);
    BlockCache* cache = c.index >= 0 ? thread_cache() : nullptr;
    if (cache == nullptr || !cache->give(c.index, c.bytes, p)) system_free(p);
  }
  template <typename U>
  bool operator==(const TailAllocator<U>& o) const {
    return nbytes == o.nbytes;
  }
};

}  // namespace

std::shared_ptr<Storage> allocate_storage(size_t nbytes) {
  void* tail = nullptr;
  auto storage = std::allocate_shared<Storage>(TailAllocator<Storage>(nbytes, &tail));
  storage->data = tail;
  storage->nbytes = nbytes;
  return storage;
}

}  // namespace rein::internal

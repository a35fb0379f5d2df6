// Storage allocation: the control block, the Storage struct and the elements share one aligned
// heap block, so creating a tensor costs a single malloc.
#include "tensor/internal/storage.h"

#include <new>

namespace rein::internal {
namespace {

// Allocator for std::allocate_shared that appends `extra` bytes after the control block and
// reports where they start. allocate_shared calls allocate() exactly once.
template <typename T>
struct TailAllocator {
  using value_type = T;
  size_t extra;
  void** tail;  // receives the aligned address just past the control block

  TailAllocator(size_t e, void** t) : extra(e), tail(t) {}
  template <typename U>
  TailAllocator(const TailAllocator<U>& o) : extra(o.extra), tail(o.tail) {}  // NOLINT

  static size_t head_bytes(size_t n) {
    size_t bytes = n * sizeof(T);
    return (bytes + kStorageAlignment - 1) / kStorageAlignment * kStorageAlignment;
  }
  T* allocate(size_t n) {
    char* block = static_cast<char*>(
        ::operator new(head_bytes(n) + extra, std::align_val_t(kStorageAlignment)));
    *tail = block + head_bytes(n);
    return reinterpret_cast<T*>(block);
  }
  void deallocate(T* p, size_t) { ::operator delete(p, std::align_val_t(kStorageAlignment)); }
  template <typename U>
  bool operator==(const TailAllocator<U>& o) const {
    return extra == o.extra;
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

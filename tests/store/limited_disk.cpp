#include "limited_disk.hpp"

#include <atomic>
#include <mutex>

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

namespace floe::store::test {

struct limited_disk::state {
  std::mutex mutex;
  uint64_t written = 0;
  uint64_t budget = UINT64_MAX; // absolute: written may not exceed it
  uint64_t failures = 0;

  // How many of `n` bytes may be written now; counts them as written.
  uint64_t take(uint64_t n) {
    std::lock_guard<std::mutex> guard{mutex};
    uint64_t room = budget > written ? budget - written : 0;
    uint64_t granted = n < room ? n : room;
    written += granted;
    if (granted < n)
      ++failures;
    return granted;
  }
};

namespace {

class budget_file : public rocksdb::FSWritableFileOwnerWrapper {
public:
  budget_file(std::unique_ptr<rocksdb::FSWritableFile> file,
              std::shared_ptr<limited_disk::state> st)
    : FSWritableFileOwnerWrapper(std::move(file)), state_(std::move(st)) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    auto granted = state_->take(data.size());
    if (granted == data.size())
      return target()->Append(data, options, dbg);
    if (granted > 0) {
      auto s = target()->Append(rocksdb::Slice(data.data(), granted), options, dbg);
      if (!s.ok())
        return s;
    }
    return rocksdb::IOStatus::NoSpace("limited_disk", "write budget used up");
  }

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo&,
                           rocksdb::IODebugContext* dbg) override {
    return Append(data, options, dbg);
  }

  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     rocksdb::IODebugContext* dbg) override {
    if (state_->take(data.size()) != data.size())
      return rocksdb::IOStatus::NoSpace("limited_disk", "write budget used up");
    return target()->PositionedAppend(data, offset, options, dbg);
  }

  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     const rocksdb::DataVerificationInfo&,
                                     rocksdb::IODebugContext* dbg) override {
    return PositionedAppend(data, offset, options, dbg);
  }

private:
  std::shared_ptr<limited_disk::state> state_;
};

class budget_fs : public rocksdb::FileSystemWrapper {
public:
  explicit budget_fs(std::shared_ptr<limited_disk::state> st)
    : FileSystemWrapper(rocksdb::FileSystem::Default()), state_(std::move(st)) {}

  const char* Name() const override { return "floe_limited_disk"; }

  rocksdb::IOStatus NewWritableFile(const std::string& fname, const rocksdb::FileOptions& opts,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    auto s = target()->NewWritableFile(fname, opts, result, dbg);
    if (s.ok())
      *result = std::make_unique<budget_file>(std::move(*result), state_);
    return s;
  }

  rocksdb::IOStatus ReopenWritableFile(const std::string& fname, const rocksdb::FileOptions& opts,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override {
    auto s = target()->ReopenWritableFile(fname, opts, result, dbg);
    if (s.ok())
      *result = std::make_unique<budget_file>(std::move(*result), state_);
    return s;
  }

  rocksdb::IOStatus ReuseWritableFile(const std::string& fname, const std::string& old_fname,
                                      const rocksdb::FileOptions& opts,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override {
    auto s = target()->ReuseWritableFile(fname, old_fname, opts, result, dbg);
    if (s.ok())
      *result = std::make_unique<budget_file>(std::move(*result), state_);
    return s;
  }

private:
  std::shared_ptr<limited_disk::state> state_;
};

} // namespace

limited_disk::limited_disk() : state_(std::make_shared<state>()) {
  env_ = rocksdb::NewCompositeEnv(std::make_shared<budget_fs>(state_));
}

limited_disk::~limited_disk() = default;

std::shared_ptr<rocksdb::Env> limited_disk::env() const {
  return env_;
}

void limited_disk::limit_to_more(uint64_t bytes) {
  std::lock_guard<std::mutex> guard{state_->mutex};
  state_->budget = state_->written + bytes;
}

void limited_disk::unlimited() {
  std::lock_guard<std::mutex> guard{state_->mutex};
  state_->budget = UINT64_MAX;
}

uint64_t limited_disk::bytes_written() const {
  std::lock_guard<std::mutex> guard{state_->mutex};
  return state_->written;
}

uint64_t limited_disk::failed_appends() const {
  std::lock_guard<std::mutex> guard{state_->mutex};
  return state_->failures;
}

} // namespace floe::store::test

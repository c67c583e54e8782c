#include "store/faulty_storage.hpp"

namespace floe::store {

namespace {

void damage(std::string& value) {
  if (value.empty()) {
    value.push_back('\xC0');
    return;
  }
  value[0] = static_cast<char>(static_cast<uint8_t>(value[0]) ^ 0xC0);
  if (value.size() > 1)
    value.pop_back();
}

} // namespace

faulty_storage::faulty_storage(std::shared_ptr<storage> inner) : inner_(std::move(inner)) {}

void faulty_storage::limit_write_bytes(uint64_t budget, errc code) {
  std::lock_guard<std::mutex> guard{mutex_};
  byte_budget_ = budget;
  budget_code_ = code;
}

void faulty_storage::fail_commits_after(uint64_t successes, errc code) {
  std::lock_guard<std::mutex> guard{mutex_};
  commit_fault_ = countdown{successes, code};
}

void faulty_storage::fail_reads_after(uint64_t successes, errc code) {
  std::lock_guard<std::mutex> guard{mutex_};
  read_fault_ = countdown{successes, code};
}

void faulty_storage::corrupt_values_after(uint64_t successes) {
  std::lock_guard<std::mutex> guard{mutex_};
  corrupt_fault_ = countdown{successes, errc::corruption};
}

void faulty_storage::heal() {
  std::lock_guard<std::mutex> guard{mutex_};
  byte_budget_.reset();
  commit_fault_.reset();
  read_fault_.reset();
  corrupt_fault_.reset();
}

uint64_t faulty_storage::bytes_committed() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return bytes_committed_;
}

uint64_t faulty_storage::faults_injected() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return faults_;
}

bool faulty_storage::trips(std::optional<countdown>& fault) {
  if (!fault)
    return false;
  if (fault->left > 0) {
    --fault->left;
    return false;
  }
  return true;
}

std::optional<error> faulty_storage::commit_fault(const write_batch* batch) {
  std::lock_guard<std::mutex> guard{mutex_};
  if (trips(commit_fault_)) {
    ++faults_;
    return error{commit_fault_->code, "injected commit failure (" + inner_->describe() + ")"};
  }
  if (batch && byte_budget_ && batch->payload_bytes() > 0
      && bytes_committed_ + batch->payload_bytes() > *byte_budget_) {
    ++faults_;
    return error{budget_code_, "injected full disk: " + std::to_string(bytes_committed_) + " of "
                                 + std::to_string(*byte_budget_) + " bytes used, the batch needs "
                                 + std::to_string(batch->payload_bytes())};
  }
  return std::nullopt;
}

faulty_storage::read_fate faulty_storage::next_read(error& out) {
  std::lock_guard<std::mutex> guard{mutex_};
  if (trips(read_fault_)) {
    ++faults_;
    out = error{read_fault_->code, "injected read failure (" + inner_->describe() + ")"};
    return read_fate::fail;
  }
  if (trips(corrupt_fault_)) {
    ++faults_;
    return read_fate::corrupt;
  }
  return read_fate::pass;
}

result<void> faulty_storage::commit(const write_batch& batch) {
  if (auto e = commit_fault(&batch))
    return floe::unexpected<error>{std::move(*e)};
  auto r = inner_->commit(batch);
  if (r) {
    std::lock_guard<std::mutex> guard{mutex_};
    bytes_committed_ += batch.payload_bytes();
  }
  return r;
}

result<std::string> faulty_storage::get(family f, std::string_view key) {
  error e;
  auto fate = next_read(e);
  if (fate == read_fate::fail)
    return floe::unexpected<error>{std::move(e)};
  auto r = inner_->get(f, key);
  if (r && fate == read_fate::corrupt)
    damage(*r);
  return r;
}

result<size_t> faulty_storage::scan(const scan_range& range, const scan_visitor& visit) {
  error e;
  auto fate = next_read(e);
  if (fate == read_fate::fail)
    return floe::unexpected<error>{std::move(e)};
  if (fate == read_fate::pass)
    return inner_->scan(range, visit);
  std::string damaged;
  return inner_->scan(range, [&](std::string_view key, std::string_view value) {
    damaged.assign(value);
    damage(damaged);
    return visit(key, damaged);
  });
}

result<uint64_t> faulty_storage::approximate_size(family f) {
  return inner_->approximate_size(f);
}

result<void> faulty_storage::delete_older_than(family f, int64_t cutoff_ms) {
  if (auto e = commit_fault(nullptr))
    return floe::unexpected<error>{std::move(*e)};
  return inner_->delete_older_than(f, cutoff_ms);
}

std::string faulty_storage::describe() const {
  return "faulty(" + inner_->describe() + ")";
}

} // namespace floe::store

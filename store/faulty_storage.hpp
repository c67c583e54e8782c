#pragma once
// A storage wrapper that fails on purpose, so tests can drive a full disk, a dying disk or
// damaged data through the code above the store. Deterministic: faults trigger on counts of
// operations and bytes, never on clocks or chance, and cost no time.
//
// A failed commit never reaches the wrapped storage, so it is not applied in part.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

#include "store/storage.hpp"

namespace floe::store {

class faulty_storage final : public storage {
public:
  explicit faulty_storage(std::shared_ptr<storage> inner);

  // A full disk: a commit that would take the payload bytes committed through this wrapper
  // (write_batch::payload_bytes) past `budget` fails with `code`; smaller ones still fit.
  void limit_write_bytes(uint64_t budget, errc code = errc::no_space);
  // The next `successes` commits (retention runs count as commits) pass; every later one fails
  // with `code`.
  void fail_commits_after(uint64_t successes, errc code = errc::io_error);
  // The next `successes` reads (get, scan) pass; every later one fails with `code`.
  void fail_reads_after(uint64_t successes, errc code = errc::io_error);
  // The next `successes` reads pass; later ones hand out damaged values: the first byte gets
  // its two top bits flipped and the last byte is dropped, which every decoder in values.hpp
  // and the series dictionary rejects.
  void corrupt_values_after(uint64_t successes);
  // Removes every fault: space freed, disk replaced. Counters keep running.
  void heal();

  uint64_t bytes_committed() const; // payload bytes of the commits that passed
  uint64_t faults_injected() const; // operations failed or damaged so far

  result<void> commit(const write_batch& batch) override;
  result<std::string> get(family f, std::string_view key) override;
  result<size_t> scan(const scan_range& range, const scan_visitor& visit) override;
  result<uint64_t> approximate_size(family f) override;
  result<void> delete_older_than(family f, int64_t cutoff_ms) override;
  std::string describe() const override;

private:
  struct countdown {
    uint64_t left = 0;
    errc code = errc::io_error;
  };

  // Counts one commit or read against `fault`; true if this one must fail.
  static bool trips(std::optional<countdown>& fault);
  std::optional<error> commit_fault(const write_batch* batch); // nullptr: retention
  enum class read_fate { pass, fail, corrupt };
  read_fate next_read(error& out);

  std::shared_ptr<storage> inner_;
  mutable std::mutex mutex_;
  std::optional<uint64_t> byte_budget_;
  errc budget_code_ = errc::no_space;
  std::optional<countdown> commit_fault_;
  std::optional<countdown> read_fault_;
  std::optional<countdown> corrupt_fault_;
  uint64_t bytes_committed_ = 0;
  uint64_t faults_ = 0;
};

} // namespace floe::store

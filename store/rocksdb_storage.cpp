#include "store/rocksdb_storage.hpp"

#include "store/keys.hpp"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <mutex>

#include <sys/statvfs.h>
#include <shared_mutex>
#include <system_error>
#include <vector>

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/listener.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>

#include "store/retention.hpp"

namespace floe::store {

namespace {

errc code_of(const rocksdb::Status& s) {
  if (s.IsNoSpace())
    return errc::no_space;
  if (s.IsCorruption())
    return errc::corruption;
  if (s.IsNotFound())
    return errc::not_found;
  if (s.IsInvalidArgument())
    return errc::invalid_argument;
  return errc::io_error;
}

error from_status(const rocksdb::Status& s, const std::string& context) {
  return error{code_of(s), context + ": " + s.ToString()};
}

bool mentions(const rocksdb::Status& s, const char* text) {
  return s.ToString().find(text) != std::string::npos;
}

// Open failures rephrased for an operator who only knows the path they configured.
error open_error(const rocksdb::Status& s, const std::string& path) {
  std::string said = s.ToString();
  if (s.IsIOError() && (mentions(s, "lock") || mentions(s, "LOCK")))
    return error{errc::io_error, "database at " + path
                                   + " is locked: another process (or another store in this"
                                     " process) has it open (" + said + ")"};
  if (mentions(s, "Permission denied"))
    return error{errc::io_error, "no permission to use the database at " + path + " (" + said
                                   + ")"};
  if (s.IsCorruption())
    return error{errc::corruption, "database at " + path
                                     + " is corrupt; move it aside or restore a copy (" + said
                                     + ")"};
  if (s.IsInvalidArgument() && mentions(s, "does not exist"))
    return error{errc::not_found, "no database at " + path + " (" + said + ")"};
  return from_status(s, "opening the database at " + path);
}

// Compression by level: LZ4 where data is rewritten often (cheap), ZSTD in the last level,
// which holds most of the data and is rewritten rarely. Falls back to what the library has.
rocksdb::CompressionType best_of(std::initializer_list<rocksdb::CompressionType> wanted) {
  auto supported = rocksdb::GetSupportedCompressions();
  for (auto c : wanted)
    if (std::find(supported.begin(), supported.end(), c) != supported.end())
      return c;
  return rocksdb::kNoCompression;
}

// The prefix of the points family's insert hints: the series id of a point key. In the domain:
// point keys of series ids below `limit` (the hints' memory grows with the series that have
// one). Only keys of exactly point_key_size bytes are in it, and that is what keeps hints safe:
// RocksDB 7.8
// keeps one hint table per memtable for its point entries and its range tombstones alike, so a
// range tombstone inserted with a hint is linked by positions of the other skip list (an
// assertion failure in a build with assertions, a corrupt memtable without). Retention's range
// tombstones of the points family therefore begin with a shorter key (delete_older_than).
class point_series_prefix final : public rocksdb::SliceTransform {
public:
  explicit point_series_prefix(uint32_t limit) : limit_(limit) {}
  const char* Name() const override { return "floe.point_series_prefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return {key.data(), series_prefix_size};
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    if (key.size() != point_key_size)
      return false;
    return read_be32(key.data()) < limit_;
  }

private:
  uint32_t limit_;
};

rocksdb::ColumnFamilyOptions family_options(family f, const rocksdb_options& o,
                                            const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions cf;
  // Default: 64 MiB. Memtable size per family before a flush to L0.
  cf.write_buffer_size = o.write_buffer_bytes;
  // Default: false. Sizes levels from the last one up: space amplification stays near 1.1x
  // as the data grows, which matters for a store that mostly appends and ages out.
  cf.level_compaction_dynamic_level_bytes = true;
  // Default: Snappy everywhere.
  cf.compression = best_of({rocksdb::kLZ4Compression, rocksdb::kSnappyCompression});
  // Default: kDisableCompressionOption (= same as `compression`).
  cf.bottommost_compression = best_of({rocksdb::kZSTD, rocksdb::kLZ4Compression,
                                       rocksdb::kSnappyCompression});
  rocksdb::BlockBasedTableOptions table;
  // Default: an 8 MiB cache per family. One cache for all families bounds memory in one place.
  table.block_cache = cache;
  // Default: 4 KiB (uncompressed bytes per data block).
  table.block_size = o.block_bytes;
  // Default: no filter. Whole-key Bloom filters help gets; points and windows are scanned.
  if (o.bloom_bits_per_key > 0 && f != family::points && f != family::windows)
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(o.bloom_bits_per_key));
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // Default: none. The prefix is the series id: a point is inserted from where the series'
  // previous point went (defaults::store::hinted_series has the measured trade-off). Hints
  // need a single writer per memtable, which floe's store_writer is.
  if (f == family::points && o.hinted_series > 0)
    cf.memtable_insert_with_hint_prefix_extractor =
      std::make_shared<point_series_prefix>(o.hinted_series);
  return cf;
}

// RocksDB recovers from a full disk on its own by polling free space from a background
// thread. floe turns that off and recovers on the next commit instead, by closing and
// reopening the database (rocksdb_storage::impl::recover_if_needed), so recovery happens when
// the store next needs to write, the same way in production and in tests, without a timer.
class resume_on_commit : public rocksdb::EventListener {
public:
  const char* Name() const override { return "floe_resume_on_commit"; }
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status bg_error,
                            bool* auto_recovery) override {
    bg_error.PermitUncheckedError();
    if (auto_recovery)
      *auto_recovery = false;
  }
};

rocksdb::DBOptions db_options(const rocksdb_options& o) {
  rocksdb::DBOptions db;
  // Default: false.
  db.create_if_missing = o.create_if_missing;
  // Default: false. A database from an older floe gains families it did not have.
  db.create_missing_column_families = true;
  // Default: none. One budget for the memtables of all families (bytes), so their memory does
  // not grow with the number of families written to.
  if (o.memtable_budget_bytes > 0)
    db.write_buffer_manager = std::make_shared<rocksdb::WriteBufferManager>(
      static_cast<size_t>(o.memtable_budget_bytes));
  // Default: 2 (threads shared by flushes and compactions).
  db.max_background_jobs = o.max_background_jobs;
  // Default: 0 = 4 x sum of write buffers. A rarely written family (meta) keeps old WAL files
  // alive until it is flushed; this bounds the WAL on disk (bytes).
  db.max_total_wal_size = o.max_total_wal_bytes;
  // Default: 1000 info LOG files.
  db.keep_log_file_num = o.keep_log_files;
  // Default (7.x): kPointInTimeRecovery. Replay stops at the first torn or corrupt WAL record:
  // a batch cut by a crash or a full disk is dropped whole, never applied in part.
  db.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  // Default: false. Without a WAL a crash keeps only what was flushed; families flushed
  // separately could keep half of a batch that spans families (points + windows + meta).
  // Flushing them together keeps every batch whole.
  db.atomic_flush = o.mode == durability::none;
  // Default: no listeners.
  db.listeners.push_back(std::make_shared<resume_on_commit>());
  if (o.env)
    db.env = o.env.get();
  return db;
}

error bad_family(family f) {
  return error{errc::invalid_argument,
               "no column family with index " + std::to_string(static_cast<int>(f))};
}

} // namespace

struct rocksdb_storage::impl {
  rocksdb_options options;
  std::shared_ptr<rocksdb::Cache> cache;
  // Every use of db/handles/families holds `mutex` shared; recovery reopens under it exclusive.
  mutable std::shared_mutex mutex;
  rocksdb::DB* db = nullptr; // null after a failed reopen: operations fail until one succeeds
  std::vector<rocksdb::ColumnFamilyHandle*> handles; // every family opened, ours and others
  rocksdb::ColumnFamilyHandle* families[family_count] = {};
  std::atomic<bool> needs_reopen{false};
  std::string last_open_error; // of the last failed reopen (under `mutex`)

  ~impl() { close_db(); }

  void close_db() {
    if (!db)
      return;
    for (auto* h : handles)
      db->DestroyColumnFamilyHandle(h);
    handles.clear();
    for (auto& f : families)
      f = nullptr;
    db->Close().PermitUncheckedError(); // a failing close still frees; the reopen reports
    delete db;
    db = nullptr;
  }

  // Opens `options.path` into db, handles and families (db stays null on failure).
  result<void> open_db() {
    try {
      auto dbo = db_options(options);
      std::vector<std::string> existing;
      if (!rocksdb::DB::ListColumnFamilies(dbo, options.path, &existing).ok())
        existing.clear(); // new database, or unreadable: DB::Open reports the real cause
      std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
      descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());
      for (auto f : all_families)
        descriptors.emplace_back(to_string(f), family_options(f, options, cache));
      for (const auto& name : existing) {
        auto known = std::any_of(descriptors.begin(), descriptors.end(),
                                 [&](const auto& d) { return d.name == name; });
        if (!known) // a family from a newer floe: opened (RocksDB requires it), left alone
          descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
      }
      auto s = rocksdb::DB::Open(dbo, options.path, descriptors, &handles, &db);
      if (!s.ok()) {
        db = nullptr;
        handles.clear();
        return floe::unexpected<error>{open_error(s, options.path)};
      }
      for (size_t i = 0; i < family_count; ++i)
        families[i] = handles[i + 1]; // same order as `descriptors`
      return {};
    } catch (const std::exception& e) {
      return fail(errc::io_error, "opening the database at " + options.path + ": " + e.what());
    }
  }

  // After a failed write RocksDB holds a background error and refuses writes. DB::Resume()
  // would clear it and go on writing to the same WAL file writer, which keeps the error: the
  // next write then trips an assertion in Debian's librocksdb 7.8 (built with assertions,
  // `sync_without_flush_called_`; found by the chaos suite's disk-full scenario). Reopening
  // closes that writer and replays the WAL, which holds every batch that was acknowledged
  // (a batch whose WAL write failed was not). Call without holding `mutex`.
  result<void> recover_if_needed() {
    if (!needs_reopen.load(std::memory_order_acquire))
      return {};
    std::unique_lock<std::shared_mutex> guard{mutex};
    if (!needs_reopen.load(std::memory_order_relaxed))
      return {};
    close_db();
    auto r = open_db();
    if (!r) {
      last_open_error = r.error().detail;
      return floe::unexpected<error>{error{r.error().code, "reopening after a failed write: "
                                                             + r.error().detail}};
    }
    last_open_error.clear();
    needs_reopen.store(false, std::memory_order_release);
    return {};
  }

  // With `mutex` held: an error when there is no open database.
  result<void> usable() const {
    if (db)
      return {};
    return fail(errc::io_error, "the database at " + options.path + " is closed after a failed "
                                "write and could not be reopened yet ("
                                  + last_open_error + "); the next commit tries again");
  }

  rocksdb::ColumnFamilyHandle* handle(family f) const {
    auto i = static_cast<size_t>(f);
    return i < family_count ? families[i] : nullptr;
  }

  rocksdb::WriteOptions write_options(bool sync_required, bool wal_required) const {
    rocksdb::WriteOptions wo;
    wo.sync = sync_required || (options.mode == durability::sync && !wal_required);
    wo.disableWAL = options.mode == durability::none && !sync_required && !wal_required;
    return wo;
  }

  // With `mutex` held shared.
  result<void> write(rocksdb::WriteBatch& wb, bool sync_required, bool wal_required,
                     const std::string& what) {
    auto s = db->Write(write_options(sync_required, wal_required), &wb);
    if (!s.ok()) {
      if (!s.IsInvalidArgument())
        needs_reopen.store(true, std::memory_order_release);
      return floe::unexpected<error>{from_status(s, what + " at " + options.path)};
    }
    return {};
  }
};

rocksdb_storage::rocksdb_storage(std::unique_ptr<impl> state) : impl_(std::move(state)) {}

rocksdb_storage::~rocksdb_storage() = default;

result<std::unique_ptr<rocksdb_storage>> rocksdb_storage::open(rocksdb_options options) {
  namespace fs = std::filesystem;
  if (options.path.empty())
    return fail(errc::invalid_argument, "empty database path");
  std::error_code ec;
  if (fs::exists(options.path, ec) && !fs::is_directory(options.path, ec))
    return fail(errc::invalid_argument, "database path " + options.path + " is not a directory");
  if (options.create_if_missing) {
    fs::create_directories(options.path, ec);
    if (ec)
      return fail(errc::io_error, "cannot create the data directory " + options.path + ": "
                                    + ec.message());
  }
  auto state = std::make_unique<impl>();
  state->options = options;
  try {
    state->cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  } catch (const std::exception& e) {
    return fail(errc::io_error, "opening the database at " + options.path + ": " + e.what());
  }
  if (auto r = state->open_db(); !r)
    return floe::unexpected<error>{r.error()};
  return std::unique_ptr<rocksdb_storage>(new rocksdb_storage(std::move(state)));
}

result<void> rocksdb_storage::commit(const write_batch& batch) {
  if (batch.empty())
    return {};
  // Before recovering too: a reopen on a full disk fails or loses what it replays (D22).
  if (impl_->options.min_free_bytes > 0) {
    struct statvfs fs {};
    if (::statvfs(impl_->options.path.c_str(), &fs) == 0) {
      uint64_t free_bytes = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
      uint64_t wanted = impl_->options.min_free_bytes + 2 * batch.payload_bytes();
      if (free_bytes < wanted)
        return fail(errc::no_space, "commit of " + std::to_string(batch.size()) + " operations at "
                                      + impl_->options.path + " refused: "
                                      + std::to_string(free_bytes) + " bytes free, "
                                      + std::to_string(wanted) + " needed (min free space "
                                      + std::to_string(impl_->options.min_free_bytes) + ")");
    }
  }
  if (auto r = impl_->recover_if_needed(); !r)
    return r;
  std::shared_lock<std::shared_mutex> guard{impl_->mutex};
  if (auto u = impl_->usable(); !u)
    return floe::unexpected<error>{u.error()};
  try {
    rocksdb::WriteBatch wb(batch.payload_bytes() + 16 * batch.size() + 16);
    // Applied in key order per family (stable: later operations on one key still win). The
    // memtable skip list resumes each insert from where the previous one ended, so sorted
    // inserts skip most of the search that interleaved series would cost (a third of
    // floe-node's CPU at full ingest); what the batch does is the same in any order.
    const auto& ops = batch.operations();
    std::vector<uint32_t> order(ops.size());
    for (uint32_t i = 0; i < order.size(); ++i)
      order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      if (ops[a].fam != ops[b].fam)
        return ops[a].fam < ops[b].fam;
      return ops[a].key < ops[b].key;
    });
    for (auto i : order) {
      const auto& op = ops[i];
      auto* h = impl_->handle(op.fam);
      if (!h)
        return floe::unexpected<error>{bad_family(op.fam)};
      auto s = op.erase ? wb.Delete(h, op.key) : wb.Put(h, op.key, op.value);
      if (!s.ok())
        return floe::unexpected<error>{from_status(s, "building a write batch")};
    }
    return impl_->write(wb, batch.sync_required(), batch.wal_required(),
                        "commit of " + std::to_string(batch.size()) + " operations ("
                          + std::to_string(batch.payload_bytes()) + " bytes)");
  } catch (const std::exception& e) {
    return fail(errc::io_error, std::string("commit: ") + e.what());
  }
}

result<std::string> rocksdb_storage::get(family f, std::string_view key) {
  std::shared_lock<std::shared_mutex> guard{impl_->mutex};
  if (auto u = impl_->usable(); !u)
    return floe::unexpected<error>{u.error()};
  auto* h = impl_->handle(f);
  if (!h)
    return floe::unexpected<error>{bad_family(f)};
  try {
    std::string value;
    auto s = impl_->db->Get(rocksdb::ReadOptions(), h, rocksdb::Slice(key.data(), key.size()),
                            &value);
    if (!s.ok())
      return floe::unexpected<error>{
        from_status(s, std::string("get of a ") + std::to_string(key.size()) + "-byte key in "
                         + to_string(f))};
    return value;
  } catch (const std::exception& e) {
    return fail(errc::io_error, std::string("get: ") + e.what());
  }
}

result<size_t> rocksdb_storage::scan(const scan_range& range, const scan_visitor& visit) {
  std::shared_lock<std::shared_mutex> guard{impl_->mutex};
  if (auto u = impl_->usable(); !u)
    return floe::unexpected<error>{u.error()};
  auto* h = impl_->handle(range.fam);
  if (!h)
    return floe::unexpected<error>{bad_family(range.fam)};
  bool bounded = !range.end.empty();
  if (bounded && range.end <= range.begin)
    return size_t{0};
  try {
    rocksdb::Slice lower(range.begin);
    rocksdb::Slice upper(range.end);
    rocksdb::ReadOptions ro;
    ro.iterate_lower_bound = &lower;
    if (bounded)
      ro.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(ro, h));
    size_t visited = 0;
    auto deliver = [&] {
      ++visited;
      auto k = it->key();
      auto v = it->value();
      return visit(std::string_view(k.data(), k.size()), std::string_view(v.data(), v.size()));
    };
    if (range.order == scan_order::ascending) {
      for (it->Seek(lower); it->Valid() && visited < range.limit; it->Next())
        if (!deliver())
          break;
    } else {
      // With iterate_upper_bound set, SeekToLast lands on the last key < end.
      for (it->SeekToLast(); it->Valid() && visited < range.limit; it->Prev())
        if (!deliver())
          break;
    }
    if (!it->status().ok())
      return floe::unexpected<error>{
        from_status(it->status(), std::string("scan of ") + to_string(range.fam))};
    return visited;
  } catch (const std::exception& e) {
    return fail(errc::io_error, std::string("scan: ") + e.what());
  }
}

result<uint64_t> rocksdb_storage::approximate_size(family f) {
  std::shared_lock<std::shared_mutex> guard{impl_->mutex};
  if (auto u = impl_->usable(); !u)
    return floe::unexpected<error>{u.error()};
  auto* h = impl_->handle(f);
  if (!h)
    return floe::unexpected<error>{bad_family(f)};
  uint64_t sst = 0;
  uint64_t mem = 0;
  if (!impl_->db->GetIntProperty(h, rocksdb::DB::Properties::kLiveSstFilesSize, &sst)
      || !impl_->db->GetIntProperty(h, rocksdb::DB::Properties::kCurSizeAllMemTables, &mem))
    return fail(errc::io_error, std::string("size properties of ") + to_string(f)
                                  + " are unavailable");
  return sst + mem;
}

result<void> rocksdb_storage::delete_older_than(family f, int64_t cutoff_ms) {
  if (auto r = impl_->recover_if_needed(); !r)
    return r;
  std::shared_lock<std::shared_mutex> guard{impl_->mutex};
  if (auto u = impl_->usable(); !u)
    return floe::unexpected<error>{u.error()};
  auto* h = impl_->handle(f);
  if (!h)
    return floe::unexpected<error>{bad_family(f)};
  try {
    rocksdb::ReadOptions ro;
    ro.fill_cache = false; // a retention pass touches one block per series: keep hot data
    std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(ro, h));
    auto seek = [&it](std::string_view key) -> result<std::optional<std::string>> {
      it->Seek(rocksdb::Slice(key.data(), key.size()));
      if (it->Valid())
        return std::optional<std::string>{it->key().ToString()};
      if (!it->status().ok())
        return floe::unexpected<error>{from_status(it->status(), "retention seek")};
      return std::optional<std::string>{};
    };
    auto ranges = retention_ranges(f, cutoff_ms, seek);
    it.reset();
    if (!ranges)
      return floe::unexpected<error>{ranges.error()};
    if (ranges->empty())
      return {};
    // A point range begins with point_key(s, INT64_MIN, 0) without its last byte (a zero):
    // the same 14-byte keys, but a begin key outside the insert hints' domain (see
    // point_series_prefix).
    if (f == family::points)
      for (auto& r : *ranges) {
        if (r.begin.size() != point_key_size)
          continue;
        if (r.begin.back() != '\0')
          return fail(errc::invalid_argument, "retention range of points does not begin at "
                                              "seq 0: refused (it would need an insert hint)");
        r.begin.pop_back();
      }
    rocksdb::WriteBatch wb;
    for (const auto& r : *ranges) {
      auto s = wb.DeleteRange(h, r.begin, r.end);
      if (!s.ok())
        return floe::unexpected<error>{from_status(s, "building the retention batch")};
    }
    std::string what = std::string("retention of ") + to_string(f) + " before "
                       + std::to_string(cutoff_ms) + " ms (" + std::to_string(ranges->size())
                       + " ranges)";
    if (auto r = impl_->write(wb, false, false, what); !r)
      return r;
    std::vector<rocksdb::Slice> bounds;
    bounds.reserve(2 * ranges->size());
    std::vector<rocksdb::RangePtr> file_ranges;
    file_ranges.reserve(ranges->size());
    for (const auto& r : *ranges) {
      bounds.emplace_back(r.begin);
      bounds.emplace_back(r.end);
    }
    for (size_t i = 0; i < ranges->size(); ++i)
      file_ranges.emplace_back(&bounds[2 * i], &bounds[2 * i + 1]);
    auto s = rocksdb::DeleteFilesInRanges(impl_->db, h, file_ranges.data(), file_ranges.size(),
                                          false);
    if (!s.ok())
      return floe::unexpected<error>{
        from_status(s, what + " is committed, but dropping whole SST files failed (compaction"
                              " reclaims the space later; retrying is harmless)")};
    return {};
  } catch (const std::exception& e) {
    return fail(errc::io_error, std::string("retention: ") + e.what());
  }
}

std::string rocksdb_storage::describe() const {
  return "rocksdb:" + impl_->options.path + " (durability " + to_string(impl_->options.mode)
         + ")";
}

result<void> rocksdb_storage::flush() {
  std::shared_lock<std::shared_mutex> guard{impl_->mutex};
  if (auto u = impl_->usable(); !u)
    return floe::unexpected<error>{u.error()};
  std::vector<rocksdb::ColumnFamilyHandle*> ours(std::begin(impl_->families),
                                                 std::end(impl_->families));
  rocksdb::FlushOptions fo;
  fo.wait = true;
  auto s = impl_->db->Flush(fo, ours);
  if (!s.ok())
    return floe::unexpected<error>{from_status(s, "flush of " + impl_->options.path)};
  return {};
}

result<void> rocksdb_storage::compact(family f) {
  std::shared_lock<std::shared_mutex> guard{impl_->mutex};
  if (auto u = impl_->usable(); !u)
    return floe::unexpected<error>{u.error()};
  auto* h = impl_->handle(f);
  if (!h)
    return floe::unexpected<error>{bad_family(f)};
  rocksdb::CompactRangeOptions co;
  // Default: kIfHaveCompactionFilter. Rewrite the last level too, so range tombstones and
  // overwritten values there are dropped now.
  co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  auto s = impl_->db->CompactRange(co, h, nullptr, nullptr);
  if (!s.ok())
    return floe::unexpected<error>{
      from_status(s, std::string("compaction of ") + to_string(f) + " at " + impl_->options.path)};
  return {};
}

const std::string& rocksdb_storage::path() const noexcept {
  return impl_->options.path;
}

} // namespace floe::store

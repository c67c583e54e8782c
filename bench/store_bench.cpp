// floe-store-bench: write and scan rates of the RocksDB store on ice-plant-like samples.
// For each durability mode: writes N points in batches of B (S series, one sample per series
// per second, 70% doubles, 20% integers, 10% booleans, keys interleaved across series as live
// ingest produces them), then prints points/s and commit latency, bytes on disk per point
// (right after writing: WAL + SSTs; after flush + full compaction: SSTs only), and the rate of
// a full decoding scan and of per-series range scans. Figures only, no assertions.
//
// Usage: floe-store-bench [--points N] [--batch B] [--series S] [--modes sync,wal,none]
//                         [--hinted-series N]   (default: floe-node's, 65536; 0 = no hints)
//                         [--dir PATH]   (default: a fresh directory under /tmp, removed after)

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "store/keys.hpp"
#include "store/rocksdb_storage.hpp"
#include "store/values.hpp"

using namespace floe::store;
namespace fs = std::filesystem;

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

struct settings {
  uint64_t points = 200'000;
  uint64_t batch = 1'000;
  uint32_t series = 100;
  std::vector<durability> modes = {durability::sync, durability::wal};
  uint32_t hinted_series = rocksdb_options{}.hinted_series;
  std::string dir;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "floe-store-bench: %s\nusage: floe-store-bench [--points N] [--batch B] "
               "[--series S] [--modes sync,wal,none] [--hinted-series N] [--dir PATH]\n",
               why);
  std::exit(2);
}

uint64_t parse_count(const char* text, const char* what, uint64_t min = 1) {
  char* end = nullptr;
  auto v = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0' || v < min)
    usage((std::string(what) + (min > 0 ? " needs a positive integer" : " needs an integer >= 0"))
            .c_str());
  return v;
}

settings parse(int argc, char** argv) {
  settings s;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc)
      usage(("missing value after " + arg).c_str());
    const char* value = argv[++i];
    if (arg == "--points") {
      s.points = parse_count(value, "--points");
    } else if (arg == "--batch") {
      s.batch = parse_count(value, "--batch");
    } else if (arg == "--series") {
      auto n = parse_count(value, "--series");
      if (n > max_series_id)
        usage("--series too large");
      s.series = static_cast<uint32_t>(n);
    } else if (arg == "--hinted-series") {
      auto n = parse_count(value, "--hinted-series", 0); // 0: no hints
      if (n > max_series_id)
        usage("--hinted-series too large");
      s.hinted_series = static_cast<uint32_t>(n);
    } else if (arg == "--dir") {
      s.dir = value;
    } else if (arg == "--modes") {
      s.modes.clear();
      std::string list = value;
      size_t pos = 0;
      while (pos <= list.size()) {
        auto comma = list.find(',', pos);
        auto name = list.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        auto mode = durability_from_string(name);
        if (!mode)
          usage(("unknown durability mode " + name).c_str());
        s.modes.push_back(*mode);
        if (comma == std::string::npos)
          break;
        pos = comma + 1;
      }
    } else {
      usage(("unknown option " + arg).c_str());
    }
  }
  return s;
}

// Deterministic pseudo-random numbers: the same data on every run.
struct lcg {
  uint64_t state = 0x2545F4914F6CDD1DULL;
  uint32_t next() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(state >> 33);
  }
  double unit() { return next() / 4294967296.0; }
};

uint64_t bytes_under(const fs::path& dir, const char* extension = nullptr) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto& entry : fs::recursive_directory_iterator(dir, ec)) {
    if (!entry.is_regular_file(ec))
      continue;
    if (extension && entry.path().extension() != extension)
      continue;
    total += entry.file_size(ec);
  }
  return total;
}

void die(const char* what, const error& e) {
  std::fprintf(stderr, "floe-store-bench: %s: %s\n", what, to_string(e).c_str());
  std::exit(1);
}

void run(const settings& s, durability mode, const fs::path& path) {
  rocksdb_options options;
  options.path = path.string();
  options.mode = mode;
  options.hinted_series = s.hinted_series;
  auto opened = rocksdb_storage::open(options);
  if (!opened)
    die("open", opened.error());
  auto& db = **opened;

  // Per-series state: a random walk around a plant-like value.
  lcg rng;
  std::vector<double> level(s.series);
  for (auto& l : level)
    l = -20.0 + 60.0 * rng.unit();
  const int64_t t0 = 1'700'000'000'000;

  write_batch batch;
  uint64_t commits = 0;
  double worst_commit_s = 0;
  auto start = clock_type::now();
  for (uint64_t i = 0; i < s.points; ++i) {
    auto series = static_cast<series_id>(i % s.series);
    stored_point p;
    p.series = first_series_id + series;
    p.timestamp_ms = t0 + static_cast<int64_t>(i / s.series) * 1000;
    auto kind = series % 10;
    if (kind < 7) {
      level[series] += rng.unit() - 0.5;
      p.value = static_cast<double>(static_cast<int64_t>(level[series] * 100)) / 100.0;
    } else if (kind < 9) {
      p.value = static_cast<int64_t>(rng.next() % 5000);
    } else {
      p.value = (rng.next() % 16) != 0;
    }
    put_point(batch, p);
    if (batch.size() == s.batch || i + 1 == s.points) {
      auto c0 = clock_type::now();
      if (auto r = db.commit(batch); !r)
        die("commit", r.error());
      auto took = seconds_since(c0);
      if (took > worst_commit_s)
        worst_commit_s = took;
      ++commits;
      batch.clear();
    }
  }
  double write_s = seconds_since(start);
  uint64_t raw_bytes = bytes_under(path);

  auto f0 = clock_type::now();
  if (auto r = db.flush(); !r)
    die("flush", r.error());
  if (auto r = db.compact(family::points); !r)
    die("compact", r.error());
  double compact_s = seconds_since(f0);
  uint64_t sst_bytes = bytes_under(path, ".sst");

  // Full scan, decoding every point.
  auto s0 = clock_type::now();
  uint64_t decoded = 0;
  double checksum = 0;
  auto n = db.scan(scan_range{family::points, "", ""}, [&](std::string_view k, std::string_view v) {
    auto p = decode_point(k, v);
    if (p) {
      ++decoded;
      if (auto* d = std::get_if<double>(&p->value))
        checksum += *d;
    }
    return true;
  });
  if (!n)
    die("scan", n.error());
  double scan_s = seconds_since(s0);

  // Per-series range scans: the last 10% of each series' time span, newest first.
  uint64_t per_series = (s.points + s.series - 1) / s.series;
  int64_t from = t0 + static_cast<int64_t>(per_series * 9 / 10) * 1000;
  auto r0 = clock_type::now();
  uint64_t ranged = 0;
  for (uint32_t k = 0; k < s.series; ++k) {
    series_id id = first_series_id + k;
    scan_range range{family::points, point_range_begin(id, from), series_end(id)};
    range.order = scan_order::descending;
    auto got = db.scan(range, [&](std::string_view, std::string_view) {
      ++ranged;
      return true;
    });
    if (!got)
      die("range scan", got.error());
  }
  double range_s = seconds_since(r0);

  std::printf("%-5s  %9.0f points/s  %7.1f commits/s  %7.3f ms/commit avg  %7.3f ms worst\n",
              to_string(mode), s.points / write_s, commits / write_s, 1000.0 * write_s / commits,
              1000.0 * worst_commit_s);
  std::printf("       on disk after writing (WAL + SST): %6.2f bytes/point;  after flush + "
              "compaction (SST): %5.2f bytes/point  (%.2f s)\n",
              static_cast<double>(raw_bytes) / s.points,
              static_cast<double>(sst_bytes) / s.points, compact_s);
  std::printf("       full scan + decode: %9.0f points/s (%llu points, checksum %.1f)\n",
              decoded / scan_s, static_cast<unsigned long long>(decoded), checksum);
  std::printf("       range scans, newest first: %9.0f points/s (%u series, %llu points, "
              "%.3f ms/series)\n",
              ranged / range_s, s.series, static_cast<unsigned long long>(ranged),
              1000.0 * range_s / s.series);
}

} // namespace

int main(int argc, char** argv) {
  auto s = parse(argc, argv);
  bool own_dir = s.dir.empty();
  fs::path root;
  if (own_dir) {
    auto pattern = (fs::temp_directory_path() / "floe-store-bench-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) {
      std::perror("floe-store-bench: mkdtemp");
      return 1;
    }
    root = pattern;
  } else {
    root = s.dir;
  }
  std::printf("floe-store-bench: %llu points, batches of %llu, %u series, hinted series %u, in %s\n",
              static_cast<unsigned long long>(s.points), static_cast<unsigned long long>(s.batch),
              s.series, s.hinted_series, root.c_str());
  for (auto mode : s.modes) {
    auto path = root / to_string(mode);
    std::error_code ec;
    fs::remove_all(path, ec);
    run(s, mode, path);
  }
  if (own_dir) {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  return 0;
}

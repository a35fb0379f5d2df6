// The tracker on PostgreSQL: 1M points through RunWriter until flush() returns, beside bare
// libpq loading the same rows into the same table with COPY (batches of 16,384 rows a
// transaction, as the writer slices them) and with multi-row INSERTs. The benchmark starts its
// own server (tests/tracker/postgres_server.h) on a Unix socket; docs/PERFORMANCE.md has the
// figures.
#include <benchmark/benchmark.h>
#include <libpq-fe.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

#include "tests/tracker/postgres_server.h"
#include "tracker/run_writer.h"
#include "tracker/store.h"

namespace {

using namespace rein::tracker;

constexpr std::int64_t kPoints = 1000000;
constexpr std::int64_t kBatch = 16384;

testing::PostgresServer& server() {
  static std::unique_ptr<testing::PostgresServer> s = std::make_unique<testing::PostgresServer>();
  return *s;
}

// A fresh database with the tracker's schema and one run; returns its URL.
std::string fresh_database() {
  static int counter = 0;
  std::string url = server().create_database("bench" + std::to_string(++counter));
  Store store(url);
  RunSpec spec;
  spec.algorithm = "ppo";
  spec.env = "CartPole-v1";
  store.create_run(spec);
  return url;
}

void exec(PGconn* conn, const char* sql) {
  PGresult* res = PQexec(conn, sql);
  ExecStatusType status = PQresultStatus(res);
  PQclear(res);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_COPY_IN)
    throw std::runtime_error(std::string(sql) + ": " + PQerrorMessage(conn));
}

void BM_PostgresWriter1M(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    std::string url = fresh_database();
    RunSpec spec;
    spec.algorithm = "ppo";
    spec.env = "CartPole-v1";
    auto w = std::make_unique<RunWriter>(url, spec);
    MetricKey k = w->key("train/episode_return");
    state.ResumeTiming();
    for (std::int64_t i = 0; i < kPoints; ++i) w->log(k, i, static_cast<double>(i % 977));
    w->flush();
    state.PauseTiming();
    w->finish(RunStatus::Finished);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kPoints);
}
BENCHMARK(BM_PostgresWriter1M)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

// The same rows into the tracker's metrics table (same indexes) with COPY, 16,384 a transaction.
void BM_PostgresBareCopy1M(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    std::string url = fresh_database();
    PGconn* conn = PQconnectdb(url.c_str());
    std::string rows;
    state.ResumeTiming();
    for (std::int64_t start = 0; start < kPoints; start += kBatch) {
      rows.clear();
      double now =
          std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
              .count();
      char line[96];
      for (std::int64_t i = start; i < std::min(kPoints, start + kBatch); ++i) {
        std::snprintf(line, sizeof line, "1\t1\t%lld\t%.17g\t%.17g\n", static_cast<long long>(i),
                      now, static_cast<double>(i % 977));
        rows += line;
      }
      exec(conn, "BEGIN");
      exec(conn, "COPY metrics(run_id, key_id, step, wall_time, value) FROM STDIN");
      PQputCopyData(conn, rows.data(), static_cast<int>(rows.size()));
      PQputCopyEnd(conn, nullptr);
      for (PGresult* r = PQgetResult(conn); r; r = PQgetResult(conn)) PQclear(r);
      exec(conn, "COMMIT");
    }
    state.PauseTiming();
    PQfinish(conn);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kPoints);
}
BENCHMARK(BM_PostgresBareCopy1M)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

// The same rows with prepared multi-row INSERTs of 1,000 rows, 16 statements a transaction.
void BM_PostgresBareInsert1M(benchmark::State& state) {
  constexpr int kRows = 1000;
  for (auto _ : state) {
    state.PauseTiming();
    std::string url = fresh_database();
    PGconn* conn = PQconnectdb(url.c_str());
    std::string sql = "INSERT INTO metrics(run_id, key_id, step, wall_time, value) VALUES";
    for (int r = 0; r < kRows; ++r) {
      sql += r ? "," : "";
      sql += "(1,1,$" + std::to_string(3 * r + 1) + "::bigint,$" + std::to_string(3 * r + 2) +
             "::float8,$" + std::to_string(3 * r + 3) + "::float8)";
    }
    PQclear(PQprepare(conn, "ins", sql.c_str(), 0, nullptr));
    std::vector<std::string> text(3 * kRows);
    std::vector<const char*> values(3 * kRows);
    state.ResumeTiming();
    for (std::int64_t start = 0; start < kPoints; start += kRows) {
      if (start % (16 * kRows) == 0) exec(conn, start ? "COMMIT; BEGIN" : "BEGIN");
      double now =
          std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
              .count();
      char buf[32];
      for (int r = 0; r < kRows; ++r) {
        text[3 * r] = std::to_string(start + r);
        std::snprintf(buf, sizeof buf, "%.17g", now);
        text[3 * r + 1] = buf;
        std::snprintf(buf, sizeof buf, "%.17g", static_cast<double>((start + r) % 977));
        text[3 * r + 2] = buf;
      }
      for (std::size_t i = 0; i < text.size(); ++i) values[i] = text[i].c_str();
      PGresult* res = PQexecPrepared(conn, "ins", 3 * kRows, values.data(), nullptr, nullptr, 0);
      PQclear(res);
    }
    exec(conn, "COMMIT");
    state.PauseTiming();
    PQfinish(conn);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kPoints);
}
BENCHMARK(BM_PostgresBareInsert1M)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

}  // namespace

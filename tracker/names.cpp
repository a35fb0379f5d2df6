// Checks on names, tags and paths entering the tracker (tracker/names.h).
#include "tracker/names.h"

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>

#include "tracker/internal/db.h"

namespace rein::tracker {
namespace {

// Length of the well-formed UTF-8 sequence at s[i] (RFC 3629), or 0.
std::size_t sequence_length(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  if (c < 0x80) return 1;
  std::size_t n = c >= 0xC2 && c <= 0xDF   ? 2
                  : c >= 0xE0 && c <= 0xEF ? 3
                  : c >= 0xF0 && c <= 0xF4 ? 4
                                           : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((b(k) & 0xC0) != 0x80) return 0;
  if (c == 0xE0 && b(1) < 0xA0) return 0;  // overlong
  if (c == 0xED && b(1) > 0x9F) return 0;  // surrogates
  if (c == 0xF0 && b(1) < 0x90) return 0;  // overlong
  if (c == 0xF4 && b(1) > 0x8F) return 0;  // past U+10FFFF
  return n;
}

// The text with bytes outside printable ASCII shown as \xNN, for messages.
std::string escaped(std::string_view text) {
  std::string out;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7F) {
      out += ch;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    }
  }
  return out;
}

}  // namespace

bool is_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = sequence_length(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

void check_utf8(std::string_view what, std::string_view text) {
  if (is_utf8(text)) return;
  throw Error(std::string(what) + " '" + escaped(text) +
              "' is not valid UTF-8; rein stores names, tags and paths as UTF-8 (rename the file "
              "or folder, or choose another name)");
}

std::string to_utf8(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = sequence_length(text, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

void check_run_name(const std::string& name) {
  check_utf8("run name", name);
  auto bad = [&](const std::string& why) {
    throw Error("run name '" + escaped(name) + "' " + why +
                "; a run name becomes a folder name (checkpoints/NAME), so use letters, digits, "
                "'-', '_' and '.' (e.g. ppo-cartpole-lr3e-4)");
  };
  if (name.empty()) bad("is empty");
  if (name.size() > 200) bad("is longer than 200 bytes");
  if (name.front() == '.') bad("starts with '.'");
  if (name.front() == '-') bad("starts with '-'");
  for (char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == '/' || ch == '\\') bad("contains a path separator");
    if (c < 0x20 || c == 0x7F) bad("contains a control character");
  }
}

bool is_database_url(std::string_view db) { return internal::is_postgres_url(db); }

bool database_exists(const std::string& db) {
  return is_database_url(db) || std::filesystem::exists(db);
}

std::string database_folder(const std::string& db) {
  std::error_code ec;
  if (is_database_url(db)) return std::filesystem::current_path(ec).string();
  return std::filesystem::absolute(db, ec).parent_path().string();
}

std::string run_checkpoint_dir(const std::string& db_path, const std::string& run_name) {
  check_run_name(run_name);
  if (is_database_url(db_path))
    return (std::filesystem::path(database_folder(db_path)) / "checkpoints" / run_name).string();
  return (std::filesystem::path(db_path).parent_path() / "checkpoints" / run_name).string();
}

bool in_run_checkpoint_dir(const std::string& db_path, const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  const fs::path root =
      fs::weakly_canonical(fs::path(database_folder(db_path)) / "checkpoints", ec);
  if (ec) return false;
  // The file's folder with every symlink resolved (the file itself is no symlink).
  const fs::path folder = fs::canonical(fs::absolute(fs::path(path), ec).parent_path(), ec);
  if (ec || folder.parent_path() != root) return false;
  try {
    check_run_name(folder.filename().string());
  } catch (const Error&) {
    return false;
  }
  return true;
}

}  // namespace rein::tracker

// What text may enter a tracker database, and where a run's files may live. Names, tags and
// paths are checked where they come in (run creation, rename, tag, artifact, param), so every
// row can be printed as JSON and every run name is one safe folder name.
#pragma once

#include <string>
#include <string_view>

#include "tracker/error.h"

namespace rein::tracker {

// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF).
bool is_utf8(std::string_view text);
// Throws Error "<what> '<text, invalid bytes as \xNN>' is not valid UTF-8 ..." unless is_utf8.
void check_utf8(std::string_view what, std::string_view text);
// `text` with every byte that is not part of well-formed UTF-8 replaced by U+FFFD, for output
// of rows an older rein stored unchecked.
std::string to_utf8(std::string_view text);

// Throws Error unless `name` can name a run, and so a folder (checkpoints/<name>): 1 to 200
// bytes of UTF-8, no '/', '\', control characters or leading '.' (so neither "." nor ".."),
// and not starting with '-' (it would read as a flag on a command line).
void check_run_name(const std::string& name);

// True when `db` (a --db value) is a PostgreSQL URL, postgresql://... or postgres://..., rather
// than an SQLite file.
bool is_database_url(std::string_view db);
// False only for a database file that does not exist (a URL's server answers for itself).
bool database_exists(const std::string& db);
// The folder files beside the database go to: the SQLite file's folder, or for a PostgreSQL URL
// the current directory (the server has no folder of ours). Absolute.
std::string database_folder(const std::string& db);

// The folder a run's checkpoints go to by default: <database_folder>/checkpoints/<run_name>.
// Throws Error if run_name is not a valid run name (a crafted database).
std::string run_checkpoint_dir(const std::string& db_path, const std::string& run_name);

// True when `path` is a regular file (not a symlink) inside
// <folder of db_path>/checkpoints/<a valid run name>/, after resolving every symlink of its
// folders: the only files `rein runs gc` deletes.
bool in_run_checkpoint_dir(const std::string& db_path, const std::string& path);

}  // namespace rein::tracker

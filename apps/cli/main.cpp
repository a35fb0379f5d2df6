// rein: the command-line entry point. Parses flags, dispatches to the subcommand groups, and turns
// any exception into "error: <message>" and a non-zero exit.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "apps/cli/commands.h"
#include "apps/version.h"

int main(int argc, char** argv) {
  CLI::App app{"rein: reinforcement learning from the command line (train, compare, inspect)",
               "rein"};
  app.set_version_flag("--version", std::string("rein ") + REIN_VERSION);
  app.require_subcommand(0, 1);
  app.footer("Run 'rein COMMAND --help' for the options of a command.");
  rein::cli::add_runs_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  if (argc == 1) {
    std::cout << app.help();
  }
  return 0;
}

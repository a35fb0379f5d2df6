// rein: the command-line entry point. Parses flags, dispatches to the subcommand groups, and turns
// any exception into "error: <message>" and a non-zero exit.
#include <CLI/CLI.hpp>
#include <csignal>
#include <exception>
#include <iostream>
#include <new>

#include "apps/cli/command_tree.h"
#include "apps/cli/commands.h"
#include "apps/version.h"
#include "envs/remote/remote_env.h"
#include "envs/video/video.h"

int main(int argc, char** argv) {
  // A file-size limit (ulimit -f) must fail a write with EFBIG, which the tracker and the
  // checkpoint writer report, not kill the process mid-run with SIGXFSZ.
  std::signal(SIGXFSZ, SIG_IGN);
  // rein reports FFmpeg's failures itself; its info lines (x264's statistics) are noise here.
  rein::video::show_only_ffmpeg_errors();
  CLI::App app{"rein: reinforcement learning from the command line (train, compare, inspect)",
               "rein"};
  app.set_version_flag("--version", std::string("rein ") + REIN_VERSION);
  app.require_subcommand(0, 1);
  app.footer("Run 'rein COMMAND --help' for the options of a command.");
  rein::cli::add_train_command(app);
  rein::cli::add_eval_command(app);
  rein::cli::add_record_command(app);
  rein::cli::add_presets_command(app);
  rein::cli::add_runs_command(app);
  rein::cli::add_sweep_command(app);
  rein::cli::add_envs_command(app);
  rein::cli::add_dashboard_command(app);
  {  // `rein envs serve`: under the envs group, made here when no command made it yet
    CLI::App* envs_group = nullptr;
    try {
      envs_group = app.get_subcommand("envs");
    } catch (const CLI::OptionNotFound&) {
      envs_group = app.add_subcommand("envs", "inspect and serve environments");
      envs_group->require_subcommand(1);
    }
    rein::cli::add_envs_serve_command(*envs_group);
  }

  // remote://HOST:PORT env ids work wherever an env id is taken (train, eval, envs ...).
  rein::envs::remote::register_scheme();
  rein::cli::add_completion_command(app);

  try {
    rein::cli::check_command_words(app, argc, argv);
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::bad_alloc&) {
    // what() says only "std::bad_alloc"; the sizes come from settings the user can lower.
    std::cerr << "error: out of memory: the command asked for more memory than this machine (or "
                 "its ulimit -v) allows; lower the settings that size it: buffer_size, net_arch, "
                 "n_envs, batch_size, frame_stack or a wrapper's image shape "
                 "(ResizeObservation)\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  if (argc == 1) {
    std::cout << app.help();
  }
  return 0;
}

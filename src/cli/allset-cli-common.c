/* allset-cli-common.c — option parsing, error messages, connection and
 * password prompt shared by the commands of allset-cli
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "allset-cli.h"
#include "allset-connect.h"

#define PASSWORD_MAX 4096

gboolean
allset_cli_parse_options (const char    *command,
                          const char    *parameters,
                          const char    *summary,
                          GOptionEntry  *entries,
                          int           *argc,
                          char        ***argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *prgname = g_strdup_printf ("allset-cli %s", command);

  g_set_prgname (prgname);
  /* _("") would be the catalogue's header. */
  context = g_option_context_new (parameters != NULL && *parameters != '\0' ? _(parameters) : NULL);
  g_option_context_set_summary (context, _(summary));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      /* Link tokens minted before they stopped starting with “-” (and
       * file names) can look like options: say how to pass them. */
      if (g_error_matches (error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION))
        allset_cli_usage_error (command, "%s (%s)", error->message,
                                _("an argument that starts with “-” goes after “--”"));
      else
        allset_cli_usage_error (command, "%s", error->message);
      return FALSE;
    }

  /* GOption keeps “--” when an argument after it starts with “-”; no
   * command takes “--” itself, so the separator goes. */
  for (int i = 1; i < *argc; i++)
    if (g_str_equal ((*argv)[i], "--"))
      {
        memmove (*argv + i, *argv + i + 1, (gsize) (*argc - i) * sizeof (char *));
        (*argc)--;
        break;
      }

  return TRUE;
}

void
allset_cli_error (const char *format,
                  ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("allset-cli: %s\n", message);
}

int
allset_cli_usage_error (const char *command,
                        const char *format,
                        ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("allset-cli %s: %s\n", command, message);
  g_printerr (_("Run “allset-cli %s --help” for its options.\n"), command);
  return ALLSET_CLI_USAGE;
}

AllsetConfig *
allset_cli_load_config (AllsetCli *cli)
{
  g_autoptr(GError) error = NULL;
  AllsetConfig *config;

  config = allset_config_load (cli->config_dir, &error);
  if (config == NULL)
    allset_cli_error ("%s", error->message);
  return config;
}

char *
allset_cli_quote (const char *arg)
{
  for (const char *p = arg; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && strchr ("-_./:=@,+%", *p) == NULL)
        return g_shell_quote (arg);
    }

  return *arg != '\0' ? g_strdup (arg) : g_shell_quote (arg);
}

/* "45 seconds", "3 minutes", "2 hours" (rounded up). */
static char *
format_delay (guint seconds)
{
  if (seconds < 120)
    return g_strdup_printf (ngettext ("%u second", "%u seconds", seconds), seconds);
  if (seconds < 2 * 3600)
    {
      guint minutes = (seconds + 59) / 60;

      return g_strdup_printf (ngettext ("%u minute", "%u minutes", minutes), minutes);
    }

  return g_strdup_printf (ngettext ("%u hour", "%u hours", (seconds + 3599) / 3600),
                          (seconds + 3599) / 3600);
}

static void
print_maintenance (AllsetClient *client,
                   const char   *message)
{
  g_autofree char *until = NULL;
  g_autofree char *delay = NULL;
  guint retry = client != NULL ? allset_client_get_retry_after (client, &until) : 0;

  delay = format_delay (MAX (retry, 1));
  if (until != NULL)
    allset_cli_error (_("The server is under maintenance until %s; retry in %s."), until, delay);
  else
    allset_cli_error (_("The server is under maintenance; retry in %s."), delay);

  if (message != NULL && *message != '\0')
    g_printerr (_("Message from the server: %s\n"), message);
}

static gboolean
is_network_error (const GError *error)
{
  return (error->domain == G_IO_ERROR && error->code != G_IO_ERROR_CANCELLED) ||
         error->domain == G_RESOLVER_ERROR ||
         error->domain == G_TLS_ERROR ||
         error->domain == SOUP_SESSION_ERROR;
}

void
allset_cli_print_error (AllsetClient *client,
                        const GError *error)
{
  const char *server = client != NULL ? allset_client_get_server_url (client) : NULL;

  if (error->domain == ALLSET_PROTOCOL_ERROR)
    {
      switch ((AllsetErrorCode) error->code)
        {
        case ALLSET_ERROR_MAINTENANCE:
          print_maintenance (client, error->message);
          return;

        case ALLSET_ERROR_TOO_MANY_ATTEMPTS:
          {
            g_autofree char *delay = format_delay (MAX (client != NULL
                                                        ? allset_client_get_retry_after (client, NULL)
                                                        : 0, 1));

            allset_cli_error (_("Too many failed sign-in attempts; retry in %s."), delay);
            return;
          }

        case ALLSET_ERROR_ACCOUNT_SUSPENDED:
          allset_cli_error (_("This account is suspended: nothing is synchronised until it is "
                              "resumed. Contact ALLSET support."));
          return;

        case ALLSET_ERROR_UNAUTHORIZED:
          allset_cli_error (_("The server no longer accepts this device (its token was revoked); "
                              "sign in again with “allset-cli login”."));
          return;

        case ALLSET_ERROR_TOKEN_EXPIRED:
          allset_cli_error (_("This device's session has expired; sign in again with "
                              "“allset-cli login”."));
          return;

        case ALLSET_ERROR_QUOTA_EXCEEDED:
          allset_cli_error (_("The account's storage quota is used up: %s"), error->message);
          return;

        default:
          allset_cli_error (_("The server refused the request: %s"), error->message);
          return;
        }
    }

  if (is_network_error (error) && server != NULL)
    {
      allset_cli_error (_("Cannot reach the server %s: %s"), server, error->message);
      return;
    }

  allset_cli_error ("%s", error->message);
}

AllsetClient *
allset_cli_connect (AllsetConfig *config)
{
  g_autoptr(GError) error = NULL;
  AllsetClient *client = allset_connect (config, NULL, &error);

  if (g_error_matches (error, ALLSET_CONNECT_ERROR, ALLSET_CONNECT_ERROR_NOT_SIGNED_IN))
    allset_cli_error (_("Not signed in: run “allset-cli login --server URL --user USER”."));
  else if (g_error_matches (error, ALLSET_CONNECT_ERROR, ALLSET_CONNECT_ERROR_NO_TOKEN))
    allset_cli_error (_("%s Sign in again with “allset-cli login”."), error->message);
  else if (client == NULL)
    allset_cli_error ("%s", error->message);

  return client;
}

void
allset_cli_print_json (JsonNode *root)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

/* ---- password ----------------------------------------------------------- */

static struct termios saved_termios;
static volatile sig_atomic_t echo_off;

static void
restore_echo_and_die (int signum)
{
  if (echo_off)
    tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved_termios);
  signal (signum, SIG_DFL);
  raise (signum);
}

/* Reads one line from fd into a fixed buffer; the newline is dropped. */
static char *
read_line (int       fd,
           gboolean *too_long)
{
  char *buffer = g_malloc0 (PASSWORD_MAX + 1);
  gsize len = 0;

  *too_long = FALSE;
  for (;;)
    {
      char c;
      gssize n = read (fd, &c, 1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0 || c == '\n')
        break;
      if (len == PASSWORD_MAX)
        {
          *too_long = TRUE;
          continue;
        }
      buffer[len++] = c;
    }

  if (len > 0 && buffer[len - 1] == '\r')
    buffer[--len] = '\0';

  return buffer;
}

void
allset_cli_password_free (char *password)
{
  if (password == NULL)
    return;

  memset (password, 0, PASSWORD_MAX + 1);
  g_free (password);
}

char *
allset_cli_read_password (const char *prompt,
                          gboolean    from_stdin,
                          gboolean   *usage)
{
  struct sigaction action = { 0 }, old_int, old_term, old_hup;
  struct termios quiet;
  gboolean too_long;
  char *password;

  *usage = FALSE;

  if (!from_stdin && !isatty (STDIN_FILENO))
    {
      *usage = TRUE;
      allset_cli_error (_("Standard input is not a terminal: pass the password on standard "
                          "input with --password-stdin."));
      return NULL;
    }

  if (from_stdin)
    {
      password = read_line (STDIN_FILENO, &too_long);
    }
  else
    {
      if (tcgetattr (STDIN_FILENO, &saved_termios) != 0)
        {
          allset_cli_error (_("Cannot turn off the terminal's echo: %s"), g_strerror (errno));
          return NULL;
        }

      /* Put the echo back even when interrupted at the prompt. */
      action.sa_handler = restore_echo_and_die;
      sigemptyset (&action.sa_mask);
      sigaction (SIGINT, &action, &old_int);
      sigaction (SIGTERM, &action, &old_term);
      sigaction (SIGHUP, &action, &old_hup);

      quiet = saved_termios;
      quiet.c_lflag &= ~(ECHO | ECHOE | ECHOK | ECHONL);
      quiet.c_lflag |= ICANON;
      g_printerr ("%s", prompt);
      echo_off = 1;
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);

      password = read_line (STDIN_FILENO, &too_long);

      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved_termios);
      echo_off = 0;
      sigaction (SIGINT, &old_int, NULL);
      sigaction (SIGTERM, &old_term, NULL);
      sigaction (SIGHUP, &old_hup, NULL);
      g_printerr ("\n");
    }

  if (too_long || *password == '\0')
    {
      allset_cli_password_free (password);
      if (too_long)
        allset_cli_error (_("The password is longer than %d bytes."), PASSWORD_MAX);
      else
        allset_cli_error (_("No password given."));
      return NULL;
    }

  return password;
}

/* test-size.c — sizes and durations from the command line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "allset-protocol.h"

#define KIB G_GUINT64_CONSTANT (1024)
#define MIB (KIB * KIB)
#define GIB (MIB * KIB)
#define TIB (GIB * KIB)

static void
test_sizes (void)
{
  static const struct {
    const char *text;
    guint64     value;
  } valid[] = {
    { "0", 0 },
    { "123", 123 },
    { "123B", 123 },
    { "1k", KIB },
    { "1K", KIB },
    { "1KiB", KIB },
    { "1kb", 1000 },
    { "500M", 500 * MIB },
    { "500MB", 500 * 1000 * 1000 },
    { "500mib", 500 * MIB },
    { "10G", 10 * GIB },
    { "10g", 10 * GIB },
    { "10GiB", 10 * GIB },
    { "10GB", G_GUINT64_CONSTANT (10000000000) },
    { "10 GiB", 10 * GIB },
    { " 10G ", 10 * GIB },
    { "1.5T", TIB + TIB / 2 },
    { "1.5TB", G_GUINT64_CONSTANT (1500000000000) },
    { "0.5K", 512 },
    { "1.1K", 1126 },  /* 1126.4, rounded down */
    { "2.000000G", 2 * GIB },
    { "18446744073709551615", G_MAXUINT64 },
    { "16777215T", 16777215 * TIB },
    { "16777215.999999T", 16777215 * TIB + G_GUINT64_CONSTANT (1099510528264) },
  };
  static const struct {
    const char *text;
    const char *message;
  } invalid[] = {
    { "", "“” is not a size; try 10G, 500M or 1.5T" },
    { "G", "“G” is not a size; try 10G, 500M or 1.5T" },
    { "abc", "“abc” is not a size; try 10G, 500M or 1.5T" },
    { "10X", "“10X” is not a size; try 10G, 500M or 1.5T" },
    { "10GG", "“10GG” is not a size; try 10G, 500M or 1.5T" },
    { "10iB", "“10iB” is not a size; try 10G, 500M or 1.5T" },
    { "1.", "“1.” is not a size; try 10G, 500M or 1.5T" },
    { ".5G", "“.5G” is not a size; try 10G, 500M or 1.5T" },
    { "1,5G", "“1,5G” is not a size; try 10G, 500M or 1.5T" },
    { "+1G", "“+1G” is not a size; try 10G, 500M or 1.5T" },
    { "0x10", "“0x10” is not a size; try 10G, 500M or 1.5T" },
    { "-1", "“-1” is negative; a size must be zero or more" },
    { "-10G", "“-10G” is negative; a size must be zero or more" },
    { "1.5", "“1.5” is not a whole number of bytes" },
    { "1.0000001G", "“1.0000001G” has more than 6 decimals" },
    { "18446744073709551616", "“18446744073709551616” is too large" },
    { "99999999999999999999999", "“99999999999999999999999” is too large" },
    { "16777216T", "“16777216T” is too large" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr(GError) error = NULL;
      guint64 value = 0;

      g_assert_true (allset_size_parse (valid[i].text, &value, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (value, ==, valid[i].value);
    }

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;
      guint64 value = 42;

      g_assert_false (allset_size_parse (invalid[i].text, &value, &error));
      g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_BAD_REQUEST);
      g_assert_cmpstr (error->message, ==, invalid[i].message);
      g_assert_cmpuint (value, ==, 42);
    }
}

static void
test_durations (void)
{
  static const struct {
    const char *text;
    guint64     seconds;
  } valid[] = {
    { "0", 0 },
    { "90", 90 },
    { "90s", 90 },
    { "15m", 15 * 60 },
    { "15M", 15 * 60 },
    { "12h", 12 * 3600 },
    { "30d", 30 * 86400 },
    { "1.5h", 5400 },
    { "0.5d", 43200 },
  };
  static const struct {
    const char *text;
    const char *message;
  } invalid[] = {
    { "", "“” is not a duration; try 90s, 15m, 12h or 30d" },
    { "s", "“s” is not a duration; try 90s, 15m, 12h or 30d" },
    { "10w", "“10w” is not a duration; try 90s, 15m, 12h or 30d" },
    { "10ms", "“10ms” is not a duration; try 90s, 15m, 12h or 30d" },
    { "1h30m", "“1h30m” is not a duration; try 90s, 15m, 12h or 30d" },
    { "-5m", "“-5m” is negative; a duration must be zero or more" },
    { "1.5", "“1.5” is not a whole number of seconds" },
    { "1.5s", "“1.5s” is not a whole number of seconds" },
    { "999999999999999999d", "“999999999999999999d” is too large" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr(GError) error = NULL;
      guint64 seconds = 0;

      g_assert_true (allset_duration_parse (valid[i].text, &seconds, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (seconds, ==, valid[i].seconds);
    }

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;
      guint64 seconds = 42;

      g_assert_false (allset_duration_parse (invalid[i].text, &seconds, &error));
      g_assert_error (error, ALLSET_PROTOCOL_ERROR, ALLSET_ERROR_BAD_REQUEST);
      g_assert_cmpstr (error->message, ==, invalid[i].message);
      g_assert_cmpuint (seconds, ==, 42);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/size/sizes", test_sizes);
  g_test_add_func ("/size/durations", test_durations);

  return g_test_run ();
}

/*
 * test_outfile.c - output files are complete or absent: a clean commit
 * renames into place, a write error (a full disk, simulated with
 * RLIMIT_FSIZE) leaves the old file untouched and no temporary behind,
 * discard removes the temporary, the same-file check sees through a
 * second name, devices are written in place and links are kept.
 */
#define _DEFAULT_SOURCE

#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"

static char dir[128];

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/synack-outfile-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char p[512];
	while (d && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' || (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

/* Number of entries in the directory other than . and .. */
static int entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;
	while (d && (de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	if (d)
		closedir(d);
	return n;
}

static void slurp(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	size_t n = fread(buf, 1, cap - 1, f);
	buf[n] = '\0';
	fclose(f);
}

START_TEST(test_commit_renames_into_place)
{
	char path[200], err[256] = "", buf[64];
	struct sim_outfile o;
	snprintf(path, sizeof path, "%s/out.txt", dir);
	ck_assert_int_eq(sim_outfile_open(&o, path, err, sizeof err), 0);
	fputs("hello\n", o.f);
	ck_assert_int_eq(access(path, F_OK), -1); /* not there until committed */
	ck_assert_int_eq(sim_outfile_commit(&o, err, sizeof err), 0);
	slurp(path, buf, sizeof buf);
	ck_assert_str_eq(buf, "hello\n");
	ck_assert_int_eq(entries(), 1);
}
END_TEST

START_TEST(test_full_disk_keeps_old_file)
{
	char path[200], err[256] = "", buf[64];
	snprintf(path, sizeof path, "%s/out.txt", dir);
	FILE *f = fopen(path, "w");
	fputs("old\n", f);
	fclose(f);
	/* A 4 KB file-size limit stands in for a full disk: writes past it
	 * fail with EFBIG instead of raising SIGXFSZ. */
	signal(SIGXFSZ, SIG_IGN);
	struct rlimit rl = {4096, 4096};
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	struct sim_outfile o;
	ck_assert_int_eq(sim_outfile_open(&o, path, err, sizeof err), 0);
	static char block[1024];
	memset(block, 'x', sizeof block);
	for (int i = 0; i < 16; i++)
		fwrite(block, 1, sizeof block, o.f);
	ck_assert_int_eq(sim_outfile_commit(&o, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, path));
	ck_assert_ptr_nonnull(strstr(err, "write failed"));
	slurp(path, buf, sizeof buf);
	ck_assert_str_eq(buf, "old\n");
	ck_assert_int_eq(entries(), 1); /* no temporary left behind */
}
END_TEST

START_TEST(test_discard_and_cleanup_remove_the_temporary)
{
	char path[200], err[256] = "";
	struct sim_outfile a, b;
	snprintf(path, sizeof path, "%s/a.txt", dir);
	ck_assert_int_eq(sim_outfile_open(&a, path, err, sizeof err), 0);
	snprintf(path, sizeof path, "%s/b.txt", dir);
	ck_assert_int_eq(sim_outfile_open(&b, path, err, sizeof err), 0);
	ck_assert_int_eq(entries(), 2);
	sim_outfile_discard(&a);
	ck_assert_int_eq(entries(), 1);
	sim_outfile_cleanup_all(); /* what the SIGINT handler runs */
	ck_assert_int_eq(entries(), 0);
	fclose(b.f);
	b.f = NULL;
	ck_assert_int_eq(sim_outfile_commit(&b, err, sizeof err), -1); /* its temporary is gone */
	ck_assert_int_eq(entries(), 0);
}
END_TEST

START_TEST(test_bad_names_are_reported)
{
	char err[256] = "";
	struct sim_outfile o;
	ck_assert_int_eq(sim_outfile_open(&o, "/nonexistent-dir/x.pcap", err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent-dir/x.pcap"));
	ck_assert_int_eq(sim_outfile_open(&o, "", err, sizeof err), -1);
	ck_assert_int_eq(sim_outfile_open(&o, "somedir/", err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "directory"));
}
END_TEST

START_TEST(test_same_file_sees_links)
{
	char a[200], b[200];
	snprintf(a, sizeof a, "%s/x.pkt", dir);
	snprintf(b, sizeof b, "%s/y.pkt", dir);
	FILE *f = fopen(a, "w");
	fclose(f);
	ck_assert_int_eq(symlink(a, b), 0);
	ck_assert(sim_same_file(a, b));
	ck_assert(sim_same_file(a, a));
	unlink(b);
	ck_assert(!sim_same_file(a, b)); /* b does not exist */
}
END_TEST

/* Devices are written in place: /dev/null stays a device (a rename over it
 * as root would replace it with a file), /dev/full reports its error. */
START_TEST(test_devices_are_written_in_place)
{
	char err[256] = "";
	struct sim_outfile o;
	struct stat st;
	ck_assert_int_eq(sim_outfile_open(&o, "/dev/null", err, sizeof err), 0);
	fputs("discarded\n", o.f);
	ck_assert_int_eq(sim_outfile_commit(&o, err, sizeof err), 0);
	ck_assert_int_eq(stat("/dev/null", &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
	ck_assert_int_eq(sim_outfile_open(&o, "/dev/full", err, sizeof err), 0);
	static char block[8192];
	fwrite(block, 1, sizeof block, o.f);
	ck_assert(!sim_outfile_ok(&o));
	ck_assert_int_eq(sim_outfile_commit(&o, err, sizeof err), -1);
	ck_assert_str_eq(err, "/dev/full: write failed: No space left on device");
	ck_assert_int_eq(stat("/dev/full", &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
}
END_TEST

/* A link to a file keeps being a link; the file it names gets the data. */
START_TEST(test_symlink_keeps_the_link)
{
	char file[200], link[200], err[256] = "", buf[64];
	struct sim_outfile o;
	struct stat st;
	snprintf(file, sizeof file, "%s/real.xml", dir);
	snprintf(link, sizeof link, "%s/link.xml", dir);
	FILE *f = fopen(file, "w");
	fputs("old\n", f);
	fclose(f);
	ck_assert_int_eq(symlink(file, link), 0);
	ck_assert_int_eq(sim_outfile_open(&o, link, err, sizeof err), 0);
	fputs("new\n", o.f);
	ck_assert_int_eq(sim_outfile_commit(&o, err, sizeof err), 0);
	ck_assert_int_eq(lstat(link, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	slurp(file, buf, sizeof buf);
	ck_assert_str_eq(buf, "new\n");
	ck_assert_int_eq(entries(), 2);
}
END_TEST

/* A link to a file not yet there: the file is created where it points. */
START_TEST(test_dangling_symlink_creates_its_target)
{
	char link[200], file[200], err[256] = "", buf[64];
	struct sim_outfile o;
	struct stat st;
	snprintf(link, sizeof link, "%s/link.pcap", dir);
	snprintf(file, sizeof file, "%s/real.pcap", dir);
	ck_assert_int_eq(symlink("real.pcap", link), 0);
	ck_assert_int_eq(sim_outfile_open(&o, link, err, sizeof err), 0);
	fputs("data\n", o.f);
	ck_assert_int_eq(sim_outfile_commit(&o, err, sizeof err), 0);
	ck_assert_int_eq(lstat(link, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	slurp(file, buf, sizeof buf);
	ck_assert_str_eq(buf, "data\n");
	ck_assert_int_eq(entries(), 2);
}
END_TEST

START_TEST(test_directory_is_refused)
{
	char err[256] = "";
	struct sim_outfile o;
	ck_assert_int_eq(sim_outfile_open(&o, dir, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "is a directory"));
	ck_assert_int_eq(entries(), 0);
}
END_TEST

static Suite *outfile_suite(void)
{
	Suite *s = suite_create("sim_outfile");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_commit_renames_into_place);
	tcase_add_test(tc, test_full_disk_keeps_old_file);
	tcase_add_test(tc, test_discard_and_cleanup_remove_the_temporary);
	tcase_add_test(tc, test_bad_names_are_reported);
	tcase_add_test(tc, test_same_file_sees_links);
	tcase_add_test(tc, test_devices_are_written_in_place);
	tcase_add_test(tc, test_symlink_keeps_the_link);
	tcase_add_test(tc, test_dangling_symlink_creates_its_target);
	tcase_add_test(tc, test_directory_is_refused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(outfile_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

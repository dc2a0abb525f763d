/*
 * outfile.c - complete-or-absent output files (see outfile.h).
 *
 * mkstemp() in the target's directory keeps the rename on one file system,
 * which is what makes it atomic (rename(2)). A device or FIFO is opened
 * and written in place: nothing is created next to it and nothing renamed. The cleanup list is a fixed
 * array of pointers to strings that stay valid while the file is open, so
 * the signal handler path only calls unlink(2).
 */
#define _XOPEN_SOURCE 700 /* realpath */

#include "outfile.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CLEANUP_SLOTS 64

static char *volatile cleanup[CLEANUP_SLOTS];

static int slot_take(char *tmp)
{
	for (int i = 0; i < CLEANUP_SLOTS; i++)
		if (cleanup[i] == NULL) {
			cleanup[i] = tmp;
			return i;
		}
	return -1; /* still safe: only the signal path loses this one */
}

static void slot_drop(struct sim_outfile *o)
{
	if (o->slot >= 0)
		cleanup[o->slot] = NULL;
	o->slot = -1;
}

void sim_outfile_cleanup_all(void)
{
	for (int i = 0; i < CLEANUP_SLOTS; i++) {
		char *t = cleanup[i];
		if (t != NULL)
			unlink(t);
	}
}

static void release(struct sim_outfile *o)
{
	slot_drop(o);
	free(o->path);
	free(o->target);
	free(o->tmp);
	o->path = o->target = o->tmp = NULL;
	o->f = NULL;
}

/* A link to a file that does not exist yet: the file it names, as
 * fopen() would create it (a relative target is relative to the link's
 * directory). NULL when it cannot be read. */
static char *dangling_target(const char *path)
{
	char link[4096];
	ssize_t n = readlink(path, link, sizeof link - 1);
	if (n <= 0)
		return NULL;
	link[n] = '\0';
	const char *slash = strrchr(path, '/');
	size_t dlen = (link[0] == '/' || slash == NULL) ? 0 : (size_t)(slash - path) + 1;
	char *t = malloc(dlen + (size_t)n + 1);
	if (t != NULL)
		snprintf(t, dlen + (size_t)n + 1, "%.*s%s", (int)dlen, path, link);
	return t;
}

/* An existing device, FIFO or socket: written in place (it cannot be
 * half-written the way a file can, and must not be renamed over). */
static int open_in_place(struct sim_outfile *o, const char *path, char *err, size_t errcap)
{
	o->path = strdup(path);
	o->f = o->path ? fopen(path, "wb") : NULL;
	if (o->f == NULL) {
		snprintf(err, errcap, "%s: cannot open: %s", path, o->path ? strerror(errno) : "out of memory");
		release(o);
		return -1;
	}
	return 0;
}

int sim_outfile_open(struct sim_outfile *o, const char *path, char *err, size_t errcap)
{
	memset(o, 0, sizeof *o);
	o->slot = -1;
	if (path == NULL || path[0] == '\0') {
		snprintf(err, errcap, "empty output file name");
		return -1;
	}
	struct stat st, lst;
	bool exists = stat(path, &st) == 0;
	if (exists && S_ISDIR(st.st_mode)) {
		snprintf(err, errcap, "%s: is a directory, not a file", path);
		return -1;
	}
	if (exists && !S_ISREG(st.st_mode))
		return open_in_place(o, path, err, errcap);
	/* A link to a file: the file is replaced, the link kept. */
	char *target = NULL;
	if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode))
		target = exists ? realpath(path, NULL) : dangling_target(path);
	o->target = target ? target : strdup(path);
	o->path = strdup(path);
	if (o->target == NULL || o->path == NULL) {
		snprintf(err, errcap, "%s: out of memory", path);
		release(o);
		return -1;
	}
	const char *slash = strrchr(o->target, '/');
	size_t dlen = slash ? (size_t)(slash - o->target) + 1 : 0;
	const char *base = slash ? slash + 1 : o->target;
	if (base[0] == '\0') {
		snprintf(err, errcap, "%s: is a directory name, not a file name", path);
		release(o);
		return -1;
	}
	size_t n = dlen + 1 + strlen(base) + 8;
	o->tmp = malloc(n);
	if (o->tmp == NULL) {
		snprintf(err, errcap, "%s: out of memory", path);
		release(o);
		return -1;
	}
	snprintf(o->tmp, n, "%.*s.%s.XXXXXX", (int)dlen, o->target, base);
	/* Block signals while the name is created and listed, so a handler
	 * never misses a file that exists. */
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	int fd = mkstemp(o->tmp);
	int e = errno;
	if (fd >= 0)
		o->slot = slot_take(o->tmp);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (fd < 0) {
		snprintf(err, errcap, "%s: cannot create: %s", path, strerror(e));
		release(o);
		return -1;
	}
	/* mkstemp makes 0600; an output file gets the usual mode. */
	mode_t um = umask(0);
	umask(um);
	fchmod(fd, 0666 & ~um);
	o->f = fdopen(fd, "wb");
	if (o->f == NULL) {
		e = errno;
		close(fd);
		unlink(o->tmp);
		snprintf(err, errcap, "%s: cannot open: %s", path, strerror(e));
		release(o);
		return -1;
	}
	return 0;
}

bool sim_outfile_ok(struct sim_outfile *o)
{
	if (!o->failed && o->f != NULL && ferror(o->f)) {
		o->failed = true;
		o->err_no = errno ? errno : EIO;
	}
	return !o->failed;
}

int sim_outfile_sync(struct sim_outfile *o, char *err, size_t errcap)
{
	if (o->f == NULL)
		return 0;
	errno = 0;
	if (fflush(o->f) != 0 || ferror(o->f) || o->failed) {
		int e = o->failed ? o->err_no : errno ? errno : EIO;
		snprintf(err, errcap, "%s: write failed: %s", o->path, strerror(e));
		return -1;
	}
	if (o->tmp != NULL && fsync(fileno(o->f)) != 0 && errno != EINVAL && errno != EROFS) {
		snprintf(err, errcap, "%s: write failed: %s", o->path, strerror(errno));
		return -1;
	}
	return 0;
}

int sim_outfile_commit(struct sim_outfile *o, char *err, size_t errcap)
{
	int rc = sim_outfile_sync(o, err, errcap);
	if (o->f != NULL) {
		errno = 0;
		if (fclose(o->f) != 0 && rc == 0) {
			snprintf(err, errcap, "%s: write failed: %s", o->path, strerror(errno ? errno : EIO));
			rc = -1;
		}
		o->f = NULL;
	}
	if (rc == 0 && o->failed) {
		snprintf(err, errcap, "%s: write failed: %s", o->path, strerror(o->err_no ? o->err_no : EIO));
		rc = -1;
	}
	if (rc == 0 && o->tmp != NULL && rename(o->tmp, o->target) != 0) {
		snprintf(err, errcap, "%s: cannot rename into place: %s", o->path, strerror(errno));
		rc = -1;
	}
	if (rc != 0 && o->tmp != NULL)
		unlink(o->tmp);
	release(o);
	return rc;
}

void sim_outfile_discard(struct sim_outfile *o)
{
	if (o->f != NULL)
		fclose(o->f);
	o->f = NULL;
	if (o->tmp != NULL)
		unlink(o->tmp);
	release(o);
}

bool sim_same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	if (a == NULL || b == NULL || stat(a, &sa) != 0 || stat(b, &sb) != 0)
		return false;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

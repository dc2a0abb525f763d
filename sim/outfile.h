/*
 * outfile.h - output files that are either complete or absent.
 *
 * Every file a host tool writes (captures, JUnit, HTML pages, scripts)
 * goes through one of these: the data is written to a temporary file in
 * the same directory ("<dir>/.<name>.XXXXXX"), every write is checked, and
 * only a clean flush, fsync and close rename it over the final name. On an
 * error (a full disk, a closed pipe, a failed rename) the temporary file is
 * removed and the old file, if any, is left as it was, so a reader never
 * sees half a capture under the name it asked for.
 *
 *   sim_outfile_open(&o, "x.pcap")  ->  write to o.f (stdio or
 *   pcap_dump_fopen(p, o.f))        ->  sim_outfile_commit(&o) | _discard(&o)
 *
 * A writer that hands o.f to a library which closes it (pcap_dump_close)
 * calls sim_outfile_sync() first, lets the library close the stream, sets
 * o.f to NULL, and then calls sim_outfile_commit(), which only renames.
 *
 * The temporary names of open outfiles are kept in a process-wide list so
 * that sim_outfile_cleanup_all() (async-signal-safe) can unlink them from
 * a SIGINT / SIGTERM handler.
 *
 * Two kinds of names are not replaced by a rename: an existing device,
 * FIFO or socket (/dev/null, /dev/full, a pipe to tcpdump) is written in
 * place, with every write still checked (renaming over /dev/null as root
 * would replace the device); a symbolic link to a file keeps the link and
 * replaces the file it points to.
 */
#ifndef SIM_OUTFILE_H
#define SIM_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct sim_outfile {
	FILE *f;            /* write here; NULL once the caller closed it */
	char *path;         /* the final name, as given (for messages) */
	char *target;       /* what is renamed over: path, or a link's file */
	char *tmp;          /* the temporary name; NULL when written in place */
	bool failed;        /* a write error was seen (sim_outfile_ok) */
	int err_no;         /* its errno, for the message */
	int slot;           /* index in the cleanup list, -1 = none */
};

/* Creates the temporary file next to `path`. Returns 0, or -1 with a
 * message naming the file in err. */
int sim_outfile_open(struct sim_outfile *o, const char *path, char *err, size_t errcap);
/* Checks the stream after a write: records the first error with its
 * errno (so the final message says "No space left on device", not just
 * "failed") and returns false from then on. Call it right after the
 * writes whose reason matters; commit catches any error regardless. */
bool sim_outfile_ok(struct sim_outfile *o);
/* Flushes o->f and syncs it to disk. Returns 0, or -1 with the message
 * (e.g. "x.pcap: No space left on device"). */
int sim_outfile_sync(struct sim_outfile *o, char *err, size_t errcap);
/* Syncs and closes o->f (unless already NULL), then renames the file into
 * place. On any error the temporary file is removed and -1 returned. The
 * struct is released either way. */
int sim_outfile_commit(struct sim_outfile *o, char *err, size_t errcap);
/* Removes the temporary file; the final name is not touched. */
void sim_outfile_discard(struct sim_outfile *o);
/* Unlinks every temporary file still open (for a signal handler). */
void sim_outfile_cleanup_all(void);
/* True when `a` and `b` name the same existing file (same device and
 * inode), so a tool can refuse an output that would overwrite an input. */
bool sim_same_file(const char *a, const char *b);

#ifdef __cplusplus
}
#endif
#endif /* SIM_OUTFILE_H */

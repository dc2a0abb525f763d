/*
 * cli_pair.c - `synack pair`: two simulated boards, each running the real
 * ENC28J60 driver on its own chip model, echo frames over a virtual link.
 *
 * The quickest end-to-end check of the simulator: driver -> SPI HAL -> chip
 * model -> link (with seeded impairments) -> chip model -> driver, and back,
 * in virtual time, with the datasheet/errata checker watching both chips.
 * Parses flags, runs sim_pair (sim/pair.h), prints a summary. The output
 * and the capture depend only on the flags: same seed, same bytes.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pair.h"

#define VERB "pair"

void cli_pair_help(FILE *out)
{
	fprintf(out,
		"usage: synack pair [options]\n"
		"\n"
		"Two simulated boards, each running the ENC28J60 driver on a register-level\n"
		"chip model, joined by a 10 Mbit/s link. Board A sends frames of EtherType\n"
		"0x88B5 to board B one at a time; B sends each back; A checks every byte.\n"
		"An echo missing 10 ms of virtual time after its round trip was due counts\n"
		"as lost.\n"
		"\n"
		"options:\n"
		"  --frames N         frames to send (default 100; 1..10000000)\n"
		"  --size BYTES       frame size without FCS (default 60; 60..1514)\n"
		"  --seed N           run seed (default 1); same seed, same output and capture\n"
		"  --loss PERMILLE    link loss per frame, in 1/1000 (default 0; e.g. 5 or 0.5)\n"
		"  --corrupt PERMILLE link corruption per frame, in 1/1000 (default 0); the\n"
		"                     receiving chip's FCS check drops damaged frames\n"
		"  --latency US       one-way link latency in microseconds (default 0)\n"
		"  --pcap FILE        write every frame on the link to FILE (pcap, ns\n"
		"                     timestamps from the virtual clock, FCS stripped);\n"
		"                     no capture unless given\n"
		"  --quiet            print nothing unless the run fails\n"
		"  -h, --help         this help\n"
		"\n"
		"exit status: 0 every echo arrived (or, with loss, every loss is accounted\n"
		"for by the link or a chip) and the checker recorded nothing; 1 otherwise;\n"
		"2 bad usage, or the capture could not be written (a full disk).\n");
}

struct pair_opts {
	struct sim_pair_config cfg;
	bool quiet;
	bool help;
};

/* Returns CLI_OK, or CLI_USAGE after reporting. */
static int parse(struct pair_opts *o, int argc, char **argv)
{
	struct cli_args a;
	const char *flag, *v;
	bool bad = false;
	uint64_t n;

	memset(o, 0, sizeof *o);
	o->cfg.frames = 100;
	o->cfg.size = 60;
	o->cfg.seed = 1;
	cli_args_init(&a, VERB, argc, argv);
	while ((flag = cli_args_next(&a, &bad)) != NULL) {
		if (strcmp(flag, "--help") == 0) {
			if (!cli_args_no_value(&a))
				return CLI_USAGE;
			o->help = true;
		} else if (strcmp(flag, "--quiet") == 0) {
			if (!cli_args_no_value(&a))
				return CLI_USAGE;
			o->quiet = true;
		} else if (strcmp(flag, "--frames") == 0) {
			if ((v = cli_args_value(&a)) == NULL ||
			    !cli_parse_u64(VERB, flag, v, 1, 10000000, "a positive integer", &n))
				return CLI_USAGE;
			o->cfg.frames = (uint32_t)n;
		} else if (strcmp(flag, "--size") == 0) {
			if ((v = cli_args_value(&a)) == NULL ||
			    !cli_parse_u64(VERB, flag, v, SIM_PAIR_MIN_SIZE, SIM_PAIR_MAX_SIZE,
					   "a frame size in bytes, 60..1514", &n))
				return CLI_USAGE;
			o->cfg.size = (uint16_t)n;
		} else if (strcmp(flag, "--seed") == 0) {
			if ((v = cli_args_value(&a)) == NULL ||
			    !cli_parse_u64(VERB, flag, v, 0, UINT64_MAX, "an unsigned 64-bit integer", &n))
				return CLI_USAGE;
			o->cfg.seed = n;
		} else if (strcmp(flag, "--loss") == 0 || strcmp(flag, "--corrupt") == 0) {
			/* Per mille with up to three decimals = parts per million. */
			if ((v = cli_args_value(&a)) == NULL ||
			    !cli_parse_fixed(VERB, flag, v, 3, 0, 1000000, "a per-mille value 0..1000", &n))
				return CLI_USAGE;
			if (flag[2] == 'l')
				o->cfg.loss_ppm = (uint32_t)n;
			else
				o->cfg.corrupt_ppm = (uint32_t)n;
		} else if (strcmp(flag, "--latency") == 0) {
			if ((v = cli_args_value(&a)) == NULL ||
			    !cli_parse_u64(VERB, flag, v, 0, 1000000, "microseconds 0..1000000", &n))
				return CLI_USAGE;
			o->cfg.latency_ns = n * 1000u;
		} else if (strcmp(flag, "--pcap") == 0) {
			if ((v = cli_args_value(&a)) == NULL)
				return CLI_USAGE;
			if (v[0] == '\0') {
				cli_error(VERB, "--pcap: expected a file name, got ''");
				return CLI_USAGE;
			}
			o->cfg.pcap_path = v;
		} else {
			cli_error(VERB, "unknown option '%s' (see 'synack help pair')", flag);
			return CLI_USAGE;
		}
	}
	return bad ? CLI_USAGE : CLI_OK;
}

static void print_ns(const char *label, uint64_t ns)
{
	printf("%s%" PRIu64 ".%09" PRIu64 " s\n", label, ns / 1000000000u, ns % 1000000000u);
}

static void print_permille(uint32_t ppm)
{
	printf("%" PRIu32 ".%03" PRIu32, ppm / 1000u, ppm % 1000u);
}

static void print_board(const char *name, const struct sim_board *b, const struct enc_dev *d)
{
	const struct enc_stats *s = &d->stats;
	const struct model_stats *m = model_get_stats(b->model);
	printf("  %s driver: tx %" PRIu32 " rx %" PRIu32 " bad-status %" PRIu32 " bad-length %" PRIu32
	       " overflows %" PRIu32 " rx-resets %" PRIu32 " latecol-retries %" PRIu32 " aborts %" PRIu32
	       " stalls %" PRIu32 "\n",
	       name, s->tx_frames, s->rx_frames, s->rx_bad_status, s->rx_bad_length, s->rx_overflows,
	       s->rx_resets, s->tx_latecol_retries, s->tx_aborts, s->tx_stalls);
	printf("  %s model:  tx %" PRIu32 " rx-stored %" PRIu32 " drop-filter %" PRIu32 " drop-full %" PRIu32
	       " drop-crc %" PRIu32 " drop-toolong %" PRIu32 " spi-bytes %" PRIu32 "\n",
	       name, m->tx_frames, m->rx_frames_stored, m->rx_dropped_filter, m->rx_dropped_full,
	       m->rx_dropped_crc, m->rx_dropped_toolong, m->spi_bytes);
}

static void print_diags(const char *name, const struct enc_model *m, FILE *out)
{
	unsigned n = model_diag_count(m);
	char line[256];
	for (unsigned i = 0; i < n; i++) {
		const struct model_diag *d = model_diag_get(m, i);
		if (d == NULL) {
			fprintf(out, "  %s: ... %u more not recorded\n", name, n - i);
			break;
		}
		model_diag_format(d, line, sizeof line);
		fprintf(out, "  %s: %s\n", name, line);
	}
}

static void summary(const struct sim_pair *p, const struct pair_opts *o, bool capture_ok)
{
	const struct sim_pair_node *a = &p->na;
	const struct sim_link_stats *l = &p->link.stats;
	printf("synack pair: %" PRIu32 " frames of %u bytes, seed %" PRIu64 ", loss ", o->cfg.frames,
	       (unsigned)o->cfg.size, o->cfg.seed);
	print_permille(o->cfg.loss_ppm);
	printf("/1000, corrupt ");
	print_permille(o->cfg.corrupt_ppm);
	printf("/1000\n");
	printf("  sent %" PRIu32 " echoed %" PRIu32 " lost %" PRIu32 " (link and chips explain %" PRIu64
	       ") bad %" PRIu32 " stray %" PRIu32 "\n",
	       a->sent, a->echoed, a->lost, sim_pair_explained_losses(p), a->bad_echoes, a->stray);
	print_ns("  virtual time ", sim_now(&p->sim));
	printf("  link: frames %" PRIu64 " delivered %" PRIu64 " lost %" PRIu64 " corrupted %" PRIu64
	       " tx-deferred %" PRIu64 " rx-deferred %" PRIu64 "\n",
	       l->frames_sent, l->frames_delivered, l->dropped_loss, l->corrupted, l->tx_deferred,
	       l->rx_deferred);
	print_board("a", &p->a, &p->na.dev);
	print_board("b", &p->b, &p->nb.dev);
	printf("  checker: %u diagnostics\n", sim_pair_diag_count(p));
	print_diags("a", p->a.model, stdout);
	print_diags("b", p->b.model, stdout);
	if (o->cfg.pcap_path != NULL && capture_ok)
		printf("  capture: %s (%" PRIu64 " frames)\n", o->cfg.pcap_path, p->pcap.frames);
}

/* Say why a run failed, on stderr, one reason per line. */
static void failures(const struct sim_pair *p, const struct pair_opts *o)
{
	const struct sim_pair_node *a = &p->na;
	if (a->init_rc != ENC_OK || p->nb.init_rc != ENC_OK)
		cli_error(VERB, "FAIL: enc_init: board a %d, board b %d", a->init_rc, p->nb.init_rc);
	if (p->end != SIM_IDLE)
		cli_error(VERB, "FAIL: the simulation did not settle (event budget spent)");
	if (a->sent != o->cfg.frames)
		cli_error(VERB, "FAIL: sent %" PRIu32 " of %" PRIu32 " frames (%" PRIu32 " send errors)",
			  a->sent, o->cfg.frames, a->send_errors);
	if (a->sent != a->echoed + a->lost)
		cli_error(VERB, "FAIL: sent %" PRIu32 " != echoed %" PRIu32 " + lost %" PRIu32, a->sent,
			  a->echoed, a->lost);
	if (a->bad_echoes)
		cli_error(VERB, "FAIL: %" PRIu32 " echoes differ from what was sent (first: seq %" PRIu32 ")",
			  a->bad_echoes, a->first_bad_seq);
	if (a->lost != sim_pair_explained_losses(p))
		cli_error(VERB, "FAIL: %" PRIu32 " frames lost but the link and chips explain %" PRIu64,
			  a->lost, sim_pair_explained_losses(p));
	if (p->nb.send_errors)
		cli_error(VERB, "FAIL: board b could not send %" PRIu32 " echoes", p->nb.send_errors);
	unsigned nd = sim_pair_diag_count(p);
	if (nd) {
		cli_error(VERB, "FAIL: the checker recorded %u diagnostics", nd);
		print_diags("a", p->a.model, stderr);
		print_diags("b", p->b.model, stderr);
	}
}

int cli_pair_main(int argc, char **argv)
{
	struct pair_opts o;
	cli_signals_install(); /* ^C removes a capture's temporary file */
	int rc = parse(&o, argc, argv);
	if (rc != CLI_OK)
		return rc;
	if (o.help) {
		cli_pair_help(stdout);
		return CLI_OK;
	}
	o.cfg.event_budget = 64u * 1000u * (uint64_t)o.cfg.frames + 100000u;

	struct sim_pair *p = calloc(1, sizeof *p); /* large: not on the stack */
	char err[512];
	if (p == NULL) {
		cli_error(VERB, "out of memory");
		return CLI_FAIL;
	}
	if (sim_pair_init(p, &o.cfg, err, sizeof err) != 0) {
		bool capture = o.cfg.pcap_path && strncmp(err, o.cfg.pcap_path, strlen(o.cfg.pcap_path)) == 0;
		cli_error(VERB, "%s%s", capture ? "--pcap: " : "", err);
		sim_pair_free(p, NULL, 0);
		free(p);
		return CLI_USAGE;
	}
	bool ok = sim_pair_run(p);
	/* The capture is closed (and every write checked) before anything is
	 * reported, so a cut-short file is never announced as written. */
	bool capture_ok = sim_pair_close_pcap(p, err, sizeof err) == 0;
	if (!o.quiet)
		summary(p, &o, capture_ok);
	if (!ok)
		failures(p, &o);
	sim_pair_free(p, NULL, 0);
	free(p);
	if (!capture_ok) {
		cli_error(VERB, "--pcap: %s", err);
		return CLI_USAGE;
	}
	if (!o.quiet)
		printf("%s\n", ok ? "PASS" : "FAIL");
	return ok ? CLI_OK : CLI_FAIL;
}

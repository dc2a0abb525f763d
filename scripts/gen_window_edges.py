"""gen_window_edges.py - the window-edge scripts, for scripts/gen_reset_matrix.py.

Called by gen_reset_matrix.main() with that module as `g` (its Script class,
state table and packet helpers):

  gen_sim(g)    rfc5961/window-edge/<state>/<rst|syn>-<edge>[.<profile>].pkt
                rfc1337/window-edge/time-wait/rst-<edge>.rfc1337-on.pkt
      RST and SYN at RCV.NXT-1, RCV.NXT, RCV.NXT+RCV.WND-1, RCV.NXT+RCV.WND
      with the sim DUT's RCV.WND of 1024 (synack-params), both RFC 5961
      profiles; gen_reset_matrix merges the cells that agree.
  gen_linux(g)  rfc5961/window-edge-linux/..., rfc1337/window-edge-linux/...
      after the merge: a twin of every sim edge script Linux can run (not
      rfc5961=off), same name, with Linux's window (linux-params), plus
      `rst-beyond-right` (RCV.NXT+RCV.WND+1), asserting what Linux does.
      Where that is not what RFC 9293 / RFC 5961 say, the twin names the
      divergence (`linux-right-edge`, or `rfc9293-strict=off`) and the sim
      script the opposite (`linux-right-edge=off`, `rfc9293-strict`), each
      with a "// Linux:" note.

What Linux does was measured with the tap DUT (`synack run --dut tap`) on
Linux 6.18.44; the reasons cite net/ipv4/tcp_input.c (tcp_sequence,
tcp_reset_check, tcp_validate_incoming) and tcp_minisocks.c
(tcp_timewait_state_process, tcp_check_req, tcp_in_window).
"""

# ---------------------------------------------------------------- edges
# (name, offset from RCV.NXT as a function of RCV.WND, what)
EDGES = [('outside-left', lambda w: -1, 'RCV.NXT-1'), ('left', lambda w: 0, 'RCV.NXT'),
         ('right', lambda w: w - 1, 'RCV.NXT+RCV.WND-1'), ('outside-right', lambda w: w, 'RCV.NXT+RCV.WND')]
BEYOND = ('beyond-right', lambda w: w + 1, 'RCV.NXT+RCV.WND+1')
KEYS = ('syn-received-passive', 'syn-received-active', 'established', 'fin-wait-1', 'fin-wait-2',
        'close-wait', 'closing', 'last-ack', 'time-wait')


def edge_setup(g, st):
    # assert the DUT's window on its SYN-ACK (the edges below depend on it)
    out = []
    for l in st.setup:
        if l.endswith('> S. 0:0(0) ack 1 <...>'):
            l = l.replace('ack 1 <...>', 'ack 1 win %d <...>' % g.WND)
        out.append(l)
    return out


def gen_sim(g):
    WND, ST, Script, add, inj, exp = g.WND, g.ST, g.Script, g.add, g.inj, g.exp
    probe_alive, probe_gone, rst_for, named = g.probe_alive, g.probe_gone, g.rst_for, g.named
    note = ['RCV.WND = %d (asserted on the SYN-ACK).' % WND]
    for key in KEYS:
        st = ST[key]
        r, s = st.r, st.s
        setup = edge_setup(g, st)
        for ename, offf, ewhat in EDGES:
            off = offf(WND)
            seq = r + off
            in_win = 0 <= off < WND
            exact = off == 0
            for prof in ('on', 'off'):
                # ---- RST
                pf = 'rfc5961=%s' % prof
                if key == 'time-wait':
                    pf += ' rfc1337=off'
                body = ['+0.05 ' + inj('R', seq)]
                if not in_win:
                    body += ['+0.05 > nothing', '+0    counter rst_out_of_window == 1', '+0    state %s' % st.name] + probe_alive(st)
                    what = 'outside the window -> drop silently'
                elif exact or prof == 'off':
                    if key == 'syn-received-passive':
                        body += ['+0.05 > nothing', '+0    counter return_listen == 1'] + probe_gone(st)
                        what = 'in window%s -> back to LISTEN (MUST-11)' % (' (RFC 793: any in-window RST)' if not exact else ', exact')
                    else:
                        ev = []
                        if key == 'syn-received-active':
                            ev = ['+0    event refused']
                        elif key in ('established', 'close-wait'):
                            ev = ['+0    event reset']
                        body += ev + ['+0.05 > nothing', '+0    counter rst_accepted == 1', '+0    state CLOSED'] + probe_gone(st)
                        what = ('exactly RCV.NXT -> reset' if exact else 'in window, RFC 793 -> reset')
                else:
                    body += ['+0    ' + exp('.', s, ack=r), '+0    counter challenge_acks == 1', '+0    state %s' % st.name]
                    what = 'in window, not RCV.NXT -> challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT>'
                rfc = ['RFC 9293 §3.10.7.4 (%s: second check, RST at %s: %s)' % (st.name, ewhat, what)]
                rfc.append('RFC 5961 §3.2' if prof == 'on' else 'RFC 793 §3.9 (RST valid if its sequence number is in the window)')
                add(Script(named('rfc5961/window-edge/%s/rst-%s' % (key, ename), pf),
                           '%s: RST at %s (%s), RFC 5961 %s' % (st.name, ewhat, ename, prof), rfc, body, pf,
                           note, setup, st))
                # ---- SYN
                if key == 'syn-received-passive' and prof == 'off':
                    continue  # same either way: written once, below, without a profile
                body = ['+0.05 ' + inj('S', seq)]
                syn_in = 0 <= off < WND  # a SYN occupies one sequence number
                if key == 'syn-received-passive':
                    pf2 = None
                    if off == -1:
                        body += ['+0    > S. 0:0(0) ack 1 <...>', '+0    state SYN-RECEIVED']
                        what = 'the peer\'s SYN again (SEG.SEQ = IRS) -> SYN-ACK again'
                    elif syn_in:
                        body += ['+0.05 > nothing', '+0    counter return_listen == 1'] + probe_gone(st)
                        what = 'in window, passive OPEN -> back to LISTEN'
                    else:
                        body += ['+0    ' + exp('.', s, ack=r), '+0    state SYN-RECEIVED']
                        what = 'outside the window -> <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>'
                    path = 'rfc5961/window-edge/%s/syn-%s.pkt' % (key, ename)
                    rfc2 = ['RFC 9293 §3.10.7.4 (SYN-RECEIVED: SYN at %s: %s)' % (ewhat, what)]
                else:
                    pf2 = 'rfc5961=%s' % prof
                    if prof == 'on' or not syn_in:
                        body += ['+0    ' + exp('.', s, ack=r), '+0    state %s' % st.name]
                        what = ('challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT>' if prof == 'on'
                                else 'outside the window -> <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>')
                    else:
                        body += ['+0    ' + rst_for('S', seq, 0, None), '+0    counter syn_in_sync == 1']
                        if key == 'syn-received-active':
                            body += ['+0    event refused']
                        elif key in ('established', 'close-wait'):
                            body += ['+0    event reset']
                        body += ['+0.05 > nothing', '+0    state CLOSED'] + probe_gone(st)
                        what = 'in window, RFC 793 -> RST <SEQ=0><ACK=SEG.SEQ+1>, CLOSED'
                    path = named('rfc5961/window-edge/%s/syn-%s' % (key, ename), pf2)
                    rfc2 = ['RFC 9293 §3.10.7.4 (%s: fourth check, SYN at %s: %s)' % (st.name, ewhat, what),
                            'RFC 5961 §4.2' if prof == 'on' else 'RFC 793 §3.9 (SYN in window is an error)']
                add(Script(path, '%s: SYN at %s (%s)%s' % (st.name, ewhat, ename, '' if pf2 is None else ', RFC 5961 ' + prof),
                           rfc2, body, pf2, note, setup, st))
    # RFC 1337 on: every RST in TIME-WAIT is ignored, wherever it falls
    st = ST['time-wait']
    for ename, offf, ewhat in EDGES:
        body = ['+0.05 ' + inj('R', st.r + offf(WND)), '+0.05 > nothing', '+0    state TIME-WAIT'] + probe_alive(st)
        add(Script('rfc1337/window-edge/time-wait/rst-%s.rfc1337-on.pkt' % ename,
                   'TIME-WAIT: RST at %s (%s) is ignored with RFC 1337' % (ewhat, ename),
                   ['RFC 1337 §3 (fix F1: ignore RST segments in TIME-WAIT)', 'RFC 9293 §3.10.7.4 (TIME-WAIT: second check, RST)'],
                   body, 'rfc1337=on', note, edge_setup(g, st), st))


# ---------------------------------------------------------------- Linux
MEASURED = 'Measured with --dut tap on Linux 6.18.44.'
LINUX_WND = 64240  # 44 x MSS 1460: Linux's first window for this peer (MSS 1460, no wscale)
PARAMS = ('linux-params', "the window edges are Linux's RCV.WND for this peer: 64240, 64239 after the peer's FIN "
          "(asserted on every DUT segment of the setup)")
RIGHT_EDGE = ('linux-right-edge', "Linux takes a segment of no length at RCV.NXT+RCV.WND as inside the window "
              "(tcp_sequence, tcp_in_window: !after(seq, rcv_nxt + window)); RFC 9293 §3.10.7.4 puts it outside")
SIM_RIGHT_EDGE = ('linux-right-edge=off', 'RFC 9293 §3.10.7.4: a segment of no length at RCV.NXT+RCV.WND is '
                  'outside the window; Linux takes it as inside')
NOT_STRICT = ('rfc9293-strict=off', 'Linux deviates from RFC 9293 here: %s')

# Why Linux deviates, by cell (what Linux does; the sim twin is RFC 9293).
WHY = {
    'reset-fin': 'tcp_reset_check accepts a RST at RCV.NXT-1 (the peer\'s FIN) in CLOSE-WAIT, CLOSING and '
                 'LAST-ACK and resets',
    'fw2-ack': 'an orphaned FIN-WAIT-2 socket is a time-wait socket (tcp_timewait_state_process): '
               'it acknowledges an out-of-window segment, RST included',
    'fw2-rst': 'an orphaned FIN-WAIT-2 socket is a time-wait socket: any RST in the window resets it '
               '(the RFC 793 rule), no challenge ACK',
    'fw2-syn': 'an orphaned FIN-WAIT-2 socket is a time-wait socket: an in-window SYN draws RST and ends it',
    'tw-rst': 'TIME-WAIT (tcp_timewait_state_process) drops a RST not at RCV.NXT silently, no challenge ACK',
    'tw-syn': 'a SYN above RCV.NXT in TIME-WAIT reopens the connection (RFC 1122 §4.2.2.13 allows it): '
              'a new SYN-ACK, ISS = the old SND.NXT + 65537',
    'req-syn': 'an in-window SYN on a request socket (tcp_check_req) draws RST and drops the request',
    'refused': 'Linux tells the application ECONNRESET, RFC 9293 "connection refused"',
}


def linux_windows(st):
    """Linux's window on each DUT segment of the state's setup: 64240, and
    one less once the peer's FIN is in (the right edge does not move).
    TIME-WAIT's last ACK comes from the time-wait socket, which keeps
    FIN-WAIT-2's window."""
    out, fin = [], False
    for l in st.setup:
        if '< F' in l:
            fin = True
        if '> ' in l:
            out.append(LINUX_WND if (not fin or st.key == 'time-wait') else LINUX_WND - 1)
    return out


def linux_setup(st):
    wins = iter(linux_windows(st))
    out = []
    for l in st.setup:
        if '> ' in l:
            w = next(wins)
            l = l.replace(' <...>', ' win %d <...>' % w) if l.endswith('<...>') else l + ' win %d' % w
        out.append(l)
    return out


def probe_alive_linux(g, st):
    if st.key == 'syn-received-passive':
        # An old ACK draws RST from a request socket (tcp_check_req checks
        # the ACK first); the peer's SYN again draws the SYN-ACK on both.
        return ['+0    ' + g.inj('S', 0, opts='mss 1460') + '   // probe: the SYN again',
                '+0    > S. 0:0(0) ack 1 <...>']
    return g.probe_alive(st)


def reset_lines(g, st, refused_as_reset=False):
    ev = []
    if st.key == 'syn-received-active':
        ev = ['+0    event reset' if refused_as_reset else '+0    event refused']
    elif st.key in ('established', 'close-wait'):
        ev = ['+0    event reset']
    return ev + ['+0.05 > nothing', '+0    state CLOSED'] + g.probe_gone(st)


def linux_rst(g, st, off, w, rfc1337=False):
    """(body, what, divergences) of a RST at RCV.NXT+off on Linux
    (net.ipv4.tcp_rfc1337 as rfc1337)."""
    r, s, key = st.r, st.s, st.key
    body = ['+0.05 ' + g.inj('R', r + off)]
    in_win = 0 <= off <= w   # a segment of no length: right edge inclusive
    div = [RIGHT_EDGE] if off == w else []
    if key == 'time-wait' and rfc1337:
        body += ['+0.05 > nothing', '+0    state TIME-WAIT'] + probe_alive_linux(g, st)
        return body, 'ignored (RFC 1337)', []
    if key == 'time-wait':
        if off == 0:
            return body + reset_lines(g, st), 'exactly RCV.NXT -> reset', []
        body += ['+0.05 > nothing', '+0    state TIME-WAIT'] + probe_alive_linux(g, st)
        if 0 < off < w:
            return body, 'in window, not RCV.NXT -> dropped, no challenge ACK', [('rfc9293-strict=off', WHY['tw-rst'])]
        return body, 'not RCV.NXT -> dropped', []
    if key == 'fin-wait-2':
        if not in_win:
            body += ['+0    ' + g.exp('.', s, ack=r), '+0    state FIN-WAIT-2']
            return body, 'outside the window -> <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>', [('rfc9293-strict=off', WHY['fw2-ack'])]
        body += reset_lines(g, st)
        if off == 0:
            return body, 'exactly RCV.NXT -> reset', []
        return body, 'in window -> reset (RFC 793 rule)', div + [('rfc9293-strict=off', WHY['fw2-rst'])]
    if off == -1 and key in ('close-wait', 'closing', 'last-ack'):
        return body + reset_lines(g, st), 'RCV.NXT-1, the peer\'s FIN -> reset', [('rfc9293-strict=off', WHY['reset-fin'])]
    if not in_win:
        body += ['+0.05 > nothing', '+0    state %s' % st.name] + probe_alive_linux(g, st)
        return body, 'outside the window -> drop silently', []
    if off == 0:
        if key == 'syn-received-active':
            return (body + reset_lines(g, st, True), 'exactly RCV.NXT -> reset, told as ECONNRESET, not "refused"',
                    [('rfc9293-strict=off', WHY['refused'])])
        return body + reset_lines(g, st), 'exactly RCV.NXT -> reset', []
    body += ['+0    ' + g.exp('.', s, ack=r), '+0    state %s' % st.name]
    return body, 'in window, not RCV.NXT -> challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT>', div


def linux_syn(g, st, off, w):
    """(body, what, divergences) of a SYN at RCV.NXT+off on Linux."""
    r, s, key = st.r, st.s, st.key
    seq = r + off
    body = ['+0.05 ' + g.inj('S', seq)]
    in_win = 0 <= off < w    # a SYN occupies one sequence number
    ack = ['+0    ' + g.exp('.', s, ack=r), '+0    state %s' % st.name]
    if key == 'time-wait':
        if off > 0:
            body += ['+0    > S. 65539:65539(0) ack %d <...>   // a new connection: ISS = old SND.NXT + 65537' % (seq + 1)]
            return body, 'above RCV.NXT -> a new connection (RFC 1122 §4.2.2.13)', [('rfc9293-strict=off', WHY['tw-syn'])]
        return body + ack, '<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>', []
    if key in ('fin-wait-2', 'syn-received-passive') and in_win:
        why = WHY['fw2-syn' if key == 'fin-wait-2' else 'req-syn']
        body += ['+0    ' + g.rst_for('S', seq, 0, None), '+0.05 > nothing', '+0    state CLOSED'] + g.probe_gone(st)
        return body, 'in window -> RST <SEQ=0><ACK=SEG.SEQ+1>, connection gone', [('rfc9293-strict=off', why)]
    if key == 'syn-received-passive' and off == -1:
        body += ['+0    > S. 0:0(0) ack 1 <...>', '+0    state SYN-RECEIVED']
        return body, 'the peer\'s SYN again (SEG.SEQ = IRS) -> SYN-ACK again', []
    if key in ('fin-wait-2', 'syn-received-passive'):
        return body + ack, 'outside the window -> <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>', []
    return body + ack, 'challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT>', []


def twin(g, sim, key, kind, ename, offf, ewhat):
    """The Linux twin of a sim edge script (or of a cell the sim does not
    write: beyond-right), registered with g.add; returns it."""
    st = g.ST[key]
    w = linux_windows(st)[-1]
    off = offf(w)
    if kind == 'rst':
        body, what, div = linux_rst(g, st, off, w, 'rfc1337=on' in (sim.profile or '') if sim else False)
    else:
        body, what, div = linux_syn(g, st, off, w)
    rfc_prof = ' '.join(g.rfc_profiles(sim.profile if sim else None))
    top = 'rfc1337' if sim and sim.path.startswith('rfc1337/') else 'rfc5961'
    path = g.named('%s/window-edge-linux/%s/%s-%s' % (top, key, kind, ename), rfc_prof)
    seg = 'RST' if kind == 'rst' else 'SYN'
    check = 'second check, RST' if kind == 'rst' else 'fourth check, SYN'
    # The RFC's answer, as the sim script states it; Linux's beside it where
    # it differs (the divergence is named in a `// Profile` line).
    rfc = list(sim.rfc) if sim else [
        'RFC 9293 §3.10.7.4 (%s: %s at %s: outside the window -> drop silently)' % (st.name, check, ewhat),
        'RFC 5961 §3.2']
    if div:
        rfc[0] = rfc[0][:-1] + '; Linux: %s)' % what
    of = sim.path if sim else 'rfc5961/window-edge/%s/rst-outside-right.pkt, one further' % key
    notes = ['Linux twin of %s, with Linux\'s window: RCV.WND = %d here.' % (of, w), MEASURED]
    sc = g.Script(path, 'Linux, %s: %s at %s (%s)' % (st.name, seg, ewhat, ename), rfc, body, rfc_prof or None,
                  notes, linux_setup(st), st)
    sc.extra = [PARAMS] + [d if d[0] == RIGHT_EDGE[0] else (d[0], NOT_STRICT[1] % d[1]) for d in div]
    g.add(sc)
    return sc


def gen_linux(g):
    """A twin for every sim edge script Linux can run, then the sim scripts
    are told where Linux differs."""
    sims = [sc for sc in list(g.SCRIPTS) if '/window-edge/' in sc.path
            and 'rfc5961=off' not in (sc.profile or '')]
    edges = dict((e[0], e) for e in EDGES)
    for sim in sims:
        key, name = sim.path.split('/')[2], g.base_of(sim.path).split('/')[-1]
        kind, ename = name.split('-', 1)
        _, offf, ewhat = edges[ename]
        tw = twin(g, sim, key, kind, ename, offf, ewhat)
        opposite = [(SIM_RIGHT_EDGE if n == RIGHT_EDGE[0] else
                     ('rfc9293-strict', 'RFC 9293 where Linux deviates: ' + r.split(': ', 1)[1]))
                    for n, r in tw.extra if n != PARAMS[0]]
        if opposite:
            sim.extra = opposite
            sim.notes = sim.notes + ['Linux differs here: %s.' % tw.path]
    for key in KEYS:
        if key != 'time-wait':
            twin(g, None, key, 'rst', *BEYOND)

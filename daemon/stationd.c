// SPDX-License-Identifier: GPL-2.0
/*
 * stationd: the station control daemon. One sd-event loop carries the
 * autofill scan timer, the D-Bus connection, SIGTERM/SIGINT and the
 * service watchdog. The order of start-up and shut-down is the safety
 * argument: the hardware is opened (every relay line requested low)
 * before the engine exists, the engine closes every valve before its
 * first scan, and on a signal engine_shutdown() closes every valve before
 * anything else is done; whatever kills us instead, the kernel releases
 * our lines and de-energizes the relays.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>
#include <time.h>
#include <libudev.h>

#include "daemon/autofill/engine.h"
#include "daemon/bus/bus-auth.h"
#include "daemon/bus/bus-autofill.h"
#include "daemon/bus/bus-card.h"
#include "daemon/bus/bus-ccd.h"
#include "daemon/bus/bus-cryostream.h"
#include "daemon/bus/bus-detector.h"
#include "daemon/bus/bus-manifold.h"
#include "daemon/bus/bus-manager.h"
#include "daemon/exhaust-sampler.h"
#include "daemon/hw/card-state.h"
#include "daemon/hw/hw.h"
#include "daemon/persist/run-state.h"
#include "daemon/scan-timing.h"
#include "daemon/shared/log.h"
#include "daemon/shared/macro.h"

#define DEFAULT_STATE_DIR "/var/lib/stationd"
/* Exit statuses besides EXIT_SUCCESS and EXIT_FAILURE (start-up failed);
 * each makes systemd's Restart=on-failure restart the daemon. */
#define EXIT_VALVE_UNCONFIRMED 2	/* a valve could not be confirmed closed */
#define EXIT_BUS_LOST 3			/* the system bus connection was lost */
/* How late a scan may run so the kernel can batch wake-ups. */
#define SCAN_TIMER_ACCURACY_USEC 1000

/*
 * Who goes first when several event sources are ready at once (sd-event
 * dispatches one per iteration, the lowest number first): the safety scan
 * and the signals, then writing what the scan changed (right after it,
 * a whole scan period before the next), then card hotplug, then the bus
 * and the network (the Cryostream link: SD_EVENT_PRIORITY_NORMAL), which
 * a client or a flood of packets can keep busy. The watchdog is pinged by
 * sd-event itself at every iteration. Each I/O callback does bounded
 * work (one D-Bus message, at most 16 datagrams, at most 16 device
 * events), so a scan that falls due waits at most for one of them.
 */
#define PRIORITY_SCAN SD_EVENT_PRIORITY_IMPORTANT
#define PRIORITY_SIGNAL SD_EVENT_PRIORITY_IMPORTANT
#define PRIORITY_PERSIST (SD_EVENT_PRIORITY_IMPORTANT + 10)
#define PRIORITY_HOTPLUG (SD_EVENT_PRIORITY_NORMAL - 10)
#define PRIORITY_BUS SD_EVENT_PRIORITY_NORMAL

struct daemon {
	const char *config_path;
	const char *state_dir;
	sd_event *event;
	struct station *station;
	struct hw *hw;
	struct engine *engine;
	struct bus_manager *bus;
	struct bus_auth *bus_auth;
	struct cryo_service *cryo;		/* the Cryostream link (issue 6) */
	struct bus_cryostreams *bus_cryostreams;
	struct ccd_service *ccd;		/* the science CCDs (issue 13) */
	struct bus_ccds *bus_ccds;
	struct bus_autofill *bus_autofill;
	struct bus_detectors *bus_detectors;
	struct bus_manifolds *bus_manifolds;
	struct udev *card_udev;			/* the card objects' sysfs reads */
	struct bus_cards *bus_cards;
	sd_event_source *scan_timer;
	uint64_t scan_period_usec;
	struct scan_timing scan_timing;		/* when the scans ran (ScanTimes) */
	struct exhaust_sampler *sampler;	/* the fills' exhausts between scans */
	struct run_state *run_state;
	sd_event_source *backup_timer;
	sd_event_source *persist_source;	/* after a scan: commit, snapshot */
	bool snapshot_due;
	bool shut_down;
	bool bus_lost;			/* exit once the engine is idle */
	struct station *reload;		/* compiled at SIGHUP, run once idle */
	int exit_status;
	enum engine_state notified_state;	/* last STATUS= sent */
};

static int64_t now_usec(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static const char *manifold_name_of(const struct daemon *d, uint32_t manifold)
{
	return manifold < d->station->n_manifolds ? d->station->manifolds[manifold].name : NULL;
}

static uint32_t detector_number_of(const struct daemon *d, uint32_t detector)
{
	return detector < d->station->n_detectors ? d->station->detectors[detector].number :
		LOG_NO_DETECTOR;
}

/* ---- engine observer: the journal and the bus hear about events */

static void on_fill_started(void *userdata, uint32_t detector, int64_t at_usec)
{
	struct daemon *d = userdata;

	log_event(LOG_INFO, LOG_EVENT_FILL_STARTED, detector_number_of(d, detector),
		  manifold_name_of(d, d->station->detectors[detector].manifold), NULL, 0,
		  "detector %" PRIu32 ": fill started", detector_number_of(d, detector));
	if (d->bus_autofill)
		bus_autofill_fill_started(d->bus_autofill, detector, at_usec);
	if (d->bus_detectors)
		bus_detectors_fill_started(d->bus_detectors, detector, at_usec);
	if (d->bus_manifolds)
		bus_manifolds_fill_started(d->bus_manifolds, detector, at_usec);
}

static void on_fill_ended(void *userdata, uint32_t detector, const struct fill_record *record)
{
	struct daemon *d = userdata;

	log_event(LOG_INFO, LOG_EVENT_FILL_ENDED, detector_number_of(d, detector),
		  manifold_name_of(d, d->station->detectors[detector].manifold), NULL, 0,
		  "detector %" PRIu32 ": fill ended: %s", detector_number_of(d, detector),
		  fill_result_to_string(record->result));
	/* Into the fill log; on the disk with the next commit. */
	(void)run_state_fill_ended(d->run_state, detector, record);
	if (d->bus_autofill)
		bus_autofill_fill_ended(d->bus_autofill, detector, record);
	if (d->bus_detectors)
		bus_detectors_fill_ended(d->bus_detectors, detector, record);
	if (d->bus_manifolds)
		bus_manifolds_fill_ended(d->bus_manifolds, detector, record);
}

/* Is a card out of use the cause of this fault? Then the card's one
 * journal entry (hw.c) names it and every detector and manifold it takes
 * out: a fault per detector would be hundreds of lines for a few cards. */
static bool fault_explained_by_card(const struct daemon *d, const struct engine_fault *f)
{
	const struct station *s = d->station;
	const struct detector *det = f->detector != ENGINE_NO_INDEX ? &s->detectors[f->detector] : NULL;
	const struct manifold *man = f->manifold != ENGINE_NO_INDEX ? &s->manifolds[f->manifold] : NULL;
	const struct channel_ref *refs[2] = {};

	switch (f->kind) {
	case ENGINE_FAULT_SENSOR:
		refs[0] = det ? &det->sensor : man ? &man->sensor : NULL;
		break;
	case ENGINE_FAULT_VALVE:
		refs[0] = det ? &det->valve : man ? &man->input_valve : NULL;
		refs[1] = det ? NULL : man ? &man->output_valve : NULL;
		break;
	case ENGINE_FAULT_INPUT:
		refs[0] = det ? &det->bias_shutdown : man ? &man->manual_fill_key : NULL;
		break;
	case ENGINE_FAULT_OUTPUT:
		refs[0] = &s->globals.dewar_inhibit;
		refs[1] = &s->globals.alarm;
		break;
	default:
		return false;	/* a fill's outcome: always its own entry */
	}
	for (unsigned i = 0; i < ELEMENTSOF(refs); i++)
		if (refs[i] && refs[i]->kind != LINE_NONE &&
		    hw_engine_ops.check_card(d->hw, refs[i]) < 0)
			return true;
	return false;
}

static void on_fault(void *userdata, const struct engine_fault *f)
{
	struct daemon *d = userdata;
	uint32_t manifold = f->manifold;

	if (manifold == ENGINE_NO_INDEX && f->detector != ENGINE_NO_INDEX)
		manifold = d->station->detectors[f->detector].manifold;
	/* Still a Fault signal for each (clients watch their detectors). */
	log_event(fault_explained_by_card(d, f) ? LOG_DEBUG : LOG_WARNING, LOG_EVENT_FAULT,
		  f->detector == ENGINE_NO_INDEX ? LOG_NO_DETECTOR : detector_number_of(d, f->detector),
		  manifold_name_of(d, manifold), NULL, f->error, "%s: %s",
		  engine_fault_kind_to_string(f->kind), f->message ? f->message : "");
	if (d->bus_autofill)
		bus_autofill_fault(d->bus_autofill, f);
	if (d->bus_detectors)
		bus_detectors_fault(d->bus_detectors, f);
	if (d->bus_manifolds)
		bus_manifolds_fault(d->bus_manifolds, f);
}

static void on_property_changed(void *userdata, enum engine_object object, uint32_t index)
{
	struct daemon *d = userdata;

	struct engine_global_view view;

	/* The bus objects exist once the engine does; until then nothing is
	 * published. */
	if (object == ENGINE_OBJECT_AUTOFILL && d->bus_autofill)
		bus_autofill_global_changed(d->bus_autofill);
	else if (object == ENGINE_OBJECT_DETECTOR && d->bus_detectors)
		bus_detectors_changed(d->bus_detectors, index);
	else if (object == ENGINE_OBJECT_MANIFOLD && d->bus_manifolds)
		bus_manifolds_changed(d->bus_manifolds, index);
	/* Its state area into the station record, marked for the primary. */
	run_state_object_changed(d->run_state, object, index);
	/*
	 * The State (the Manager's and STATUS=) is part of the global view,
	 * which the engine reports, once per publish, after the objects
	 * whenever it changed: looking at it for every object would walk
	 * the whole station once per changed detector.
	 */
	if (object != ENGINE_OBJECT_AUTOFILL)
		return;
	if (!d->engine)
		return;		/* still inside engine_new() (at start or a reload) */
	if (d->bus && !d->bus_lost)
		bus_manager_global_changed(d->bus);
	/* A fill or purge began or the last one ended: the fast path follows. */
	(void)exhaust_sampler_update(d->sampler);
	engine_global_view(d->engine, &view);
	if (view.state != d->notified_state) {
		d->notified_state = view.state;
		(void)sd_notifyf(false, "STATUS=State %s, %" PRIu32 " filling",
				 engine_state_to_string(view.state), view.filling_count);
	}
}

static const struct engine_observer observer = {
	.fill_started = on_fill_started,
	.fill_ended = on_fill_ended,
	.fault = on_fault,
	.property_changed = on_property_changed,
};

/* ---- run state */

/*
 * The station to run: the configuration made a compiled database, then the
 * backup chain (primary, secondary, compiled database), each choice logged
 * by run_state_load().
 */
static int load_station(struct daemon *d, const char *config_path, const char *state_dir)
{
	struct backup_report report = {};
	int r;

	r = run_state_new(state_dir, &d->run_state);
	if (r < 0)
		return log_error_errno(r, "cannot set up the run state");
	r = run_state_load(d->run_state, config_path, &d->station, &report);
	backup_report_done(&report);
	return r;
}

/* Acknowledged means on the disk: the bus calls this before it replies. */
static int commit_run_state(void *userdata)
{
	struct daemon *d = userdata;

	return run_state_commit(d->run_state);
}

/* The secondary backup is due: written after the next scan (on_persist()),
 * not now, when the scan may be about to fall due. */
static int on_backup_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct daemon *d = userdata;
	int r;

	d->snapshot_due = true;
	r = sd_event_source_set_time(s, usec + d->station->globals.backup_interval_s * 1000000ull);
	if (r < 0)
		return log_error_errno(r, "cannot re-arm the backup timer");
	return 0;
}

/*
 * Right after a scan that changed something, before anything but another
 * scan: a fill's start and end made durable (so a kill -9 mid-fill is an
 * interrupted fill at the next start), and when due the secondary
 * snapshot and a fill-log compaction. Failures are logged by run_state
 * and retried next time. The scan itself never waits for the disk.
 */
static void apply_reload(struct daemon *d);

static int on_persist(sd_event_source *s, void *userdata)
{
	struct daemon *d = userdata;

	if (run_state_pending(d->run_state))
		(void)run_state_commit(d->run_state);
	if (d->snapshot_due) {
		d->snapshot_due = false;
		(void)run_state_snapshot(d->run_state);
	}
	if (d->reload && !d->shut_down && !d->bus_lost && engine_idle(d->engine))
		apply_reload(d);
	return 0;
}

/* ---- the card objects' source: sysfs, and the hardware layer for a
 * self-test (it holds the lines a test needs released) */

static int card_list(void *userdata, char ***ret)
{
	return card_state_list(ret);
}

static int card_read(void *userdata, const char *name, struct card_state *ret)
{
	struct daemon *d = userdata;

	return card_state_read(d->card_udev, name, ret);
}

/* Not while a valve is open: a test resets the card, a relay card's
 * relays with it. */
static int card_self_test(void *userdata, const char *name, char *result, size_t size)
{
	struct daemon *d = userdata;
	struct engine_global_view v;

	engine_global_view(d->engine, &v);
	if (v.filling_count > 0 || v.dewar_inhibit)
		return -EBUSY;
	return hw_card_retest(d->hw, name, result, size);
}

static int card_convert(void *userdata, const char *name, unsigned channel, int32_t *raw,
			int32_t *mv)
{
	struct daemon *d = userdata;

	return card_state_convert(d->card_udev, name, channel, raw, mv);
}

static const struct bus_card_source card_source = {
	.list = card_list,
	.read = card_read,
	.self_test = card_self_test,
	.convert = card_convert,
};

static void on_card_device_event(void *userdata)
{
	struct daemon *d = userdata;

	if (d->bus_cards)
		bus_cards_device_event(d->bus_cards);
}

/* ---- the loop */

static void exit_bus_lost(struct daemon *d);

static int on_scan(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct daemon *d = userdata;
	uint64_t now, next = usec + d->scan_period_usec;
	int64_t started = now_usec(CLOCK_MONOTONIC);
	int r;

	engine_scan(d->engine, now_usec(CLOCK_REALTIME), started);
	scan_timing_record(&d->scan_timing, usec, started, now_usec(CLOCK_MONOTONIC));
	if (run_state_pending(d->run_state) || d->snapshot_due ||
	    (d->reload && engine_idle(d->engine)))
		(void)sd_event_source_set_enabled(d->persist_source, SD_EVENT_ONESHOT);
	if (d->bus_lost && engine_idle(d->engine)) {
		exit_bus_lost(d);
		return 0;
	}

	/* Keep the rate on the grid, without drift; after a stall, skip
	 * the missed scans rather than run a burst. */
	r = sd_event_now(sd_event_source_get_event(s), CLOCK_MONOTONIC, &now);
	if (r >= 0)
		next = scan_timing_next(usec, now, d->scan_period_usec);
	r = sd_event_source_set_time(s, next);
	if (r < 0)
		return log_error_errno(r, "cannot re-arm the scan timer");
	return 0;
}

/* Close every valve, then save the run state (primary and secondary).
 * Returns the first valve error (closing was still tried on every valve);
 * then the exit status says so. */
static int shut_down(struct daemon *d)
{
	int r;

	if (d->shut_down)
		return 0;
	d->shut_down = true;
	r = engine_shutdown(d->engine, now_usec(CLOCK_REALTIME), now_usec(CLOCK_MONOTONIC));
	if (r < 0) {
		log_event(LOG_CRIT, LOG_EVENT_STOPPED, LOG_NO_DETECTOR, NULL, NULL, r,
			  "a valve could not be confirmed closed at shut-down: exit status %d",
			  EXIT_VALVE_UNCONFIRMED);
		d->exit_status = EXIT_VALVE_UNCONFIRMED;
	}
	/* The interrupted fills engine_shutdown() recorded, and the state
	 * that reschedules them, into both backups; failures are logged. */
	(void)run_state_snapshot(d->run_state);
	return r;
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct daemon *d = userdata;

	(void)sd_notify(false, "STOPPING=1\nSTATUS=Closing every valve");
	if (shut_down(d) >= 0)
		log_event(LOG_INFO, LOG_EVENT_STOPPED, LOG_NO_DETECTOR, NULL, NULL, 0,
			  "stopped by signal %u: every valve closed", si->ssi_signo);
	return sd_event_exit(sd_event_source_get_event(s), 0);
}

/* ---- the card objects */

/* The cards on the bus: from sysfs, read again at each device event of
 * the xvme bus (d->hw calls back). Made anew with the station at a
 * reload: they name its detectors and manifolds. */
static int publish_cards(struct daemon *d)
{
	int r;

	if (!d->card_udev) {
		d->card_udev = udev_new();
		if (!d->card_udev)
			return log_error_errno(ENOMEM, "cannot publish the cards on D-Bus");
	}
	r = bus_cards_new(bus_manager_bus(d->bus), d->event, d->station, d->bus_auth, &card_source,
			  d, &d->bus_cards);
	if (r < 0)
		return log_error_errno(r, "cannot publish the cards on D-Bus");
	hw_set_device_observer(d->hw, on_card_device_event, d);
	return 0;
}

static void drop_cards(struct daemon *d)
{
	if (d->hw)
		hw_set_device_observer(d->hw, NULL, NULL);
	d->bus_cards = bus_cards_free(d->bus_cards);
}

/* ---- losing the system bus */

/* Every object on the bus, and the Cryostream link and the CCD servers
 * that only serve the bus. After a lost bus: dropped, so that no change is
 * sent (and logged as failing) while the running fills end. */
static void drop_bus_objects(struct daemon *d)
{
	drop_cards(d);
	d->bus_cryostreams = bus_cryostreams_free(d->bus_cryostreams);
	d->cryo = cryo_service_free(d->cryo);
	d->bus_ccds = bus_ccds_free(d->bus_ccds);
	d->ccd = ccd_service_free(d->ccd);
	d->bus_manifolds = bus_manifolds_free(d->bus_manifolds);
	d->bus_detectors = bus_detectors_free(d->bus_detectors);
	d->bus_autofill = bus_autofill_free(d->bus_autofill);
	d->bus_auth = bus_auth_free(d->bus_auth);
}

/* Exit after the bus was lost, once nothing is open: systemd restarts us. */
static void exit_bus_lost(struct daemon *d)
{
	(void)sd_notify(false, "STOPPING=1\nSTATUS=Lost the system bus: exiting");
	d->exit_status = EXIT_BUS_LOST;
	if (shut_down(d) >= 0)
		log_event(LOG_CRIT, LOG_EVENT_STOPPED, LOG_NO_DETECTOR, NULL, NULL, 0,
			  "stopped: the system bus is gone and no fill runs; exit status %d "
			  "so that systemd restarts stationd", EXIT_BUS_LOST);
	(void)sd_event_exit(d->event, 0);
}

/*
 * The system bus is gone (dbus-daemon died or dropped us): no command can
 * come and nobody hears of a fault, so stationd exits non-zero for systemd
 * to restart it (Restart=on-failure) on a new bus. The fills that run go on
 * to their end first (their valves are legitimately open; the scan keeps
 * every safety check); no new fill starts meanwhile: those that fall due
 * start after the restart.
 */
static void on_bus_disconnected(void *userdata)
{
	struct daemon *d = userdata;
	struct engine_global_view view;

	if (d->bus_lost || d->shut_down)
		return;
	d->bus_lost = true;
	drop_bus_objects(d);
	engine_hold_fills(d->engine, true);
	engine_global_view(d->engine, &view);
	log_event(LOG_CRIT, LOG_EVENT_FAULT, LOG_NO_DETECTOR, NULL, NULL, ENOTCONN,
		  "lost the connection to the system bus: exiting %s, for systemd to restart stationd",
		  engine_idle(d->engine) ? "now" : "once the fills in progress have ended");
	(void)sd_notifyf(false, "STATUS=Lost the system bus: %" PRIu32 " filling, exiting when none",
			 view.filling_count);
	if (engine_idle(d->engine))
		exit_bus_lost(d);
}

/* ---- what is built on the station: hardware, engine, bus objects */

/* The hardware and the engine of d->station; every valve closed first. */
static int open_station(struct daemon *d)
{
	char error[256] = "";
	int r;

	r = hw_open(d->station, &d->hw);
	if (r < 0)
		return log_error_errno(r, "cannot open the hardware");
	log_info("%zu of %zu cards usable", hw_cards_available(d->hw), d->station->n_cards);
	r = engine_new(d->station, &hw_engine_ops, d->hw, &observer, d,
		       now_usec(CLOCK_REALTIME), now_usec(CLOCK_MONOTONIC),
		       &d->engine, error, sizeof(error));
	if (r < 0)
		return log_error_errno(r, "cannot start the autofill engine: %s", error);
	return 0;
}

/* Cards leaving and coming back: their detectors follow at the next scan.
 * Without it the station still runs (a card that leaves fails the
 * detectors that use it by I/O errors; one put back stays closed until a
 * restart): no reason to leave every detector unfilled. */
static void watch_hotplug(struct daemon *d)
{
	int r = hw_attach_event(d->hw, d->event, PRIORITY_HOTPLUG);

	if (r < 0)
		log_event(LOG_CRIT, LOG_EVENT_GENERIC, LOG_NO_DETECTOR, NULL, NULL, r,
			  "card hotplug is not watched: a card put back needs a restart");
}

/* The autofill's objects on the bus (and its authorization). */
static int publish_autofill(struct daemon *d)
{
	sd_bus *bus = bus_manager_bus(d->bus);
	int r = 0;

	if (!d->bus_auth)
		r = bus_auth_new(bus, d->station->globals.operator_group, &d->bus_auth);
	if (r >= 0)
		/* A command is acknowledged once commit_run_state() made it durable. */
		r = bus_autofill_new(bus, d->engine, d->bus_auth, commit_run_state, d,
				     &d->bus_autofill);
	if (r >= 0)
		r = bus_detectors_new(bus, d->engine, &d->bus_detectors);
	if (r >= 0)
		r = bus_manifolds_new(bus, d->engine, &d->bus_manifolds);
	if (r < 0)
		return log_error_errno(r, "cannot publish the autofill on D-Bus");
	return 0;
}

/* The Cryostreams share the bus and its authorization; without any
 * configured, no socket is opened. */
static int start_cryostreams(struct daemon *d)
{
	int r;

	r = cryo_service_new(d->event, d->station, &d->cryo);
	if (r >= 0)
		r = bus_cryostreams_new(bus_manager_bus(d->bus), d->bus_auth, d->cryo,
					&d->bus_cryostreams);
	if (r < 0)
		return log_error_errno(r, "cannot start the Cryostream link");
	return 0;
}

/* The CCDs likewise; their lines, timers and data sockets run below the
 * scan's priority. */
static int start_ccds(struct daemon *d)
{
	int r;

	r = ccd_service_new(d->event, d->station, d->state_dir, &d->ccd);
	if (r >= 0)
		r = bus_ccds_new(bus_manager_bus(d->bus), d->bus_auth, d->ccd, &d->bus_ccds);
	if (r < 0)
		return log_error_errno(r, "cannot start the CCD servers");
	return 0;
}

static void arm_timers(struct daemon *d)
{
	uint64_t now = 0;

	d->scan_period_usec = 1000000000ull / d->station->globals.scan_rate_millihz;
	(void)sd_event_now(d->event, CLOCK_MONOTONIC, &now);
	(void)sd_event_source_set_time(d->backup_timer,
				       now + d->station->globals.backup_interval_s * 1000000ull);
}

/* ---- reload (SIGHUP) */

static bool cryostreams_configured_alike(const struct station *a, const struct station *b)
{
	const struct cryostream_link *la = &a->globals.cryostream_link;
	const struct cryostream_link *lb = &b->globals.cryostream_link;

	if (a->n_cryostreams != b->n_cryostreams || la->status_port != lb->status_port ||
	    la->command_port != lb->command_port || la->silence_timeout_s != lb->silence_timeout_s ||
	    la->command_timeout_s != lb->command_timeout_s || la->ignore_checksum != lb->ignore_checksum)
		return false;
	for (size_t i = 0; i < a->n_cryostreams; i++)
		if (strcmp(a->cryostreams[i].name, b->cryostreams[i].name) != 0 ||
		    a->cryostreams[i].number != b->cryostreams[i].number ||
		    a->cryostreams[i].address != b->cryostreams[i].address)
			return false;
	return true;
}

/* Everything of a CCD's record but where in the file it was written. */
static bool ccds_configured_alike(const struct station *a, const struct station *b)
{
	if (a->n_ccds != b->n_ccds)
		return false;
	for (size_t i = 0; i < a->n_ccds; i++) {
		const struct ccd *ca = &a->ccds[i], *cb = &b->ccds[i];

		if (strcmp(ca->name, cb->name) != 0 || strcmp(ca->tty, cb->tty) != 0 ||
		    strcmp(ca->device, cb->device) != 0 || strcmp(ca->profile, cb->profile) != 0 ||
		    strcmp(ca->profile_dir, cb->profile_dir) != 0 ||
		    strcmp(ca->data_dir, cb->data_dir) != 0 ||
		    strcmp(ca->data_socket, cb->data_socket) != 0 ||
		    strcmp(ca->host_name, cb->host_name) != 0 || ca->resend_limit != cb->resend_limit)
			return false;
	}
	return true;
}

static void notify_status(struct daemon *d, const char *what)
{
	struct engine_global_view view;

	engine_global_view(d->engine, &view);
	d->notified_state = view.state;
	(void)sd_notifyf(false, "READY=1\nSTATUS=%s: %zu detectors, %zu of %zu cards usable, state %s",
			 what, d->station->n_detectors, hw_cards_available(d->hw), d->station->n_cards,
			 engine_state_to_string(view.state));
}

/*
 * The station compiled at SIGHUP replaces the running one, now that no
 * fill runs (no valve is legitimately open): the run state over to it by
 * number and name (run_state_reload(), which also writes the compiled
 * database and the primary), then the hardware, the engine and the bus
 * objects built anew on it; the fill histories of the detectors that stay
 * are kept, the Cryostream link too when its configuration did not change.
 * Failing before anything is torn down leaves the old station running;
 * failing after (out of memory) is fatal: the daemon exits for systemd to
 * start it on the new configuration, with the run state on the disk.
 */
static void apply_reload(struct daemon *d)
{
	_cleanup_station_ struct station *old = NULL;
	struct station *next = TAKE_PTR(d->reload);
	_cleanup_free_ struct fill_history *histories = NULL;
	bool keep_cryo, keep_ccds, keep_auth;
	int r;

	histories = calloc(next->n_detectors ? next->n_detectors : 1, sizeof(*histories));
	r = histories ? run_state_reload(d->run_state, next) : -ENOMEM;
	if (r < 0) {
		station_free(next);
		engine_hold_fills(d->engine, false);
		log_event(LOG_ERR, LOG_EVENT_CONFIG, LOG_NO_DETECTOR, NULL, NULL, r,
			  "reload failed: still running the configuration loaded before");
		notify_status(d, "Running");
		return;
	}
	for (size_t i = 0; i < next->n_detectors; i++) {
		const struct detector *was = station_find_detector(d->station, next->detectors[i].number);

		if (was)
			histories[i] = *engine_fill_history(d->engine, (uint32_t)(was - d->station->detectors));
	}
	/* The Cryostream link and the CCD servers copy what they need of the
	 * station: each is kept, with what it is doing, unless its own
	 * configuration or the authorization they share changed. */
	keep_auth = strcmp(d->station->globals.operator_group, next->globals.operator_group) == 0;
	keep_cryo = keep_auth && cryostreams_configured_alike(d->station, next);
	keep_ccds = keep_auth && ccds_configured_alike(d->station, next);

	/* Down: the bus objects, the engine (no valve open: it closes none
	 * that matters), the hardware (releasing the lines). */
	drop_cards(d);
	d->bus_manifolds = bus_manifolds_free(d->bus_manifolds);
	d->bus_detectors = bus_detectors_free(d->bus_detectors);
	d->bus_autofill = bus_autofill_free(d->bus_autofill);
	if (!keep_cryo) {
		d->bus_cryostreams = bus_cryostreams_free(d->bus_cryostreams);
		d->cryo = cryo_service_free(d->cryo);
	}
	if (!keep_ccds) {
		d->bus_ccds = bus_ccds_free(d->bus_ccds);
		d->ccd = ccd_service_free(d->ccd);
	}
	if (!keep_auth)
		d->bus_auth = bus_auth_free(d->bus_auth);
	d->sampler = exhaust_sampler_free(d->sampler);
	d->engine = engine_free(d->engine);
	d->hw = hw_free(d->hw);
	old = d->station;
	d->station = next;

	/* Up, on the new station. */
	r = open_station(d);
	if (r >= 0) {
		watch_hotplug(d);
		for (uint32_t i = 0; i < next->n_detectors; i++)
			engine_restore_fill_history(d->engine, i, &histories[i]);
		run_state_attach(d->run_state, d->engine);
		(void)run_state_commit(d->run_state);
		bus_manager_set_engine(d->bus, d->engine);
		/* The fast path reads the new engine's fills, at the new rates. */
		r = exhaust_sampler_new(d->event, d->engine,
					next->globals.exhaust_sample_rate_millihz,
					next->globals.scan_rate_millihz, &d->sampler);
		if (r < 0)
			log_error_errno(r, "cannot create the exhaust sampling timer");
	}
	if (r >= 0)
		r = publish_autofill(d);
	if (r >= 0)
		r = publish_cards(d);
	if (r >= 0 && !d->cryo)
		r = start_cryostreams(d);
	if (r >= 0 && !d->ccd)
		r = start_ccds(d);
	if (r < 0) {
		log_event(LOG_CRIT, LOG_EVENT_STOPPED, LOG_NO_DETECTOR, NULL, NULL, r,
			  "reload failed half-way: exiting for systemd to start stationd on the "
			  "new configuration");
		d->exit_status = EXIT_FAILURE;
		(void)sd_event_exit(d->event, 0);
		return;
	}
	arm_timers(d);
	log_event(LOG_NOTICE, LOG_EVENT_CONFIG, LOG_NO_DETECTOR, NULL, NULL, 0,
		  "reloaded %s: %zu detectors, %zu manifolds, scan every %" PRIu64 " us%s%s",
		  d->config_path, d->station->n_detectors, d->station->n_manifolds,
		  d->scan_period_usec, keep_cryo ? "" : "; the Cryostream link restarted",
		  keep_ccds ? "" : "; the CCD servers restarted");
	notify_status(d, "Running");
}

/*
 * SIGHUP (systemctl reload): compile the configuration again. One with
 * errors is refused, every error in the journal as file:line:col, and the
 * running one goes on. A good one is applied at once when no fill runs;
 * otherwise no new fill starts (those that fall due wait for it) and it is
 * applied right after the scan at which the last running fill ended, so
 * that no valve that is legitimately open is closed for it.
 */
static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct daemon *d = userdata;
	struct engine_global_view view;
	struct station *next = NULL;
	bool text;
	int r;

	if (d->shut_down || d->bus_lost)
		return 0;
	(void)sd_notify(false, "RELOADING=1\nSTATUS=Reloading the configuration");
	r = run_state_read_configuration(d->config_path, &next, &text);
	if (r < 0) {
		log_event(LOG_ERR, LOG_EVENT_CONFIG, LOG_NO_DETECTOR, NULL, NULL, 0,
			  "reload refused: %s is not a valid configuration (errors above); still "
			  "running the configuration loaded before", d->config_path);
		notify_status(d, "Running (reload refused)");
		return 0;
	}
	station_free(d->reload);	/* a newer one replaces one still waiting */
	d->reload = next;
	engine_hold_fills(d->engine, true);
	engine_global_view(d->engine, &view);
	if (engine_idle(d->engine)) {
		(void)sd_event_source_set_enabled(d->persist_source, SD_EVENT_ONESHOT);
		return 0;
	}
	log_event(LOG_NOTICE, LOG_EVENT_CONFIG, LOG_NO_DETECTOR, NULL, NULL, 0,
		  "%s compiled: it takes effect once the fills in progress have ended (%" PRIu32
		  " filling); no new fill starts meanwhile", d->config_path, view.filling_count);
	(void)sd_notifyf(false, "STATUS=Reload waiting for %" PRIu32 " fill(s) to end",
			 view.filling_count);
	return 0;
}

/* A signal source of the daemon's priority, owned by the loop. */
static int add_signal(sd_event *event, int sig, sd_event_signal_handler_t handler, void *userdata)
{
	sd_event_source *s;
	int r;

	r = sd_event_add_signal(event, &s, sig, handler, userdata);
	if (r < 0)
		return r;
	r = sd_event_source_set_priority(s, PRIORITY_SIGNAL);
	if (r >= 0)
		r = sd_event_source_set_floating(s, true);
	sd_event_source_unref(s);
	return r;
}

static void help(void)
{
	printf("Usage: stationd [OPTIONS]\n\n"
	       "The station control daemon: LN2 autofill of the detector array.\n\n"
	       "  -c, --config PATH     station configuration, text or compiled database\n"
	       "  -s, --state-dir DIR   run-state directory (default " DEFAULT_STATE_DIR ")\n"
	       "  -h, --help            show this help\n\n"
	       "See stationd(8).\n");
}

static int parse_args(int argc, char **argv, const char **config, const char **state_dir)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c;

	while ((c = getopt_long(argc, argv, "c:s:h", options, NULL)) >= 0) {
		switch (c) {
		case 'c':
			*config = optarg;
			break;
		case 's':
			*state_dir = optarg;
			break;
		case 'h':
			help();
			return 0;
		default:
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "stationd: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (!*config) {
		fprintf(stderr, "stationd: --config is required (see --help)\n");
		return -EINVAL;
	}
	return 1;
}

static int check_state_dir(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		return log_error_errno(errno, "cannot create the state directory %s", dir);
	if (stat(dir, &st) < 0)
		return log_error_errno(errno, "cannot stat %s", dir);
	if (!S_ISDIR(st.st_mode))
		return log_error_errno(ENOTDIR, "state directory %s", dir);
	return 0;
}

static void daemon_done(struct daemon *d)
{
	/* Reverse order: valves closed (engine), lines released (hw). */
	drop_bus_objects(d);
	if (d->card_udev)
		udev_unref(d->card_udev);
	d->bus = bus_manager_free(d->bus);
	d->sampler = exhaust_sampler_free(d->sampler);
	station_free(d->reload);
	if (d->engine)
		engine_free(d->engine);
	d->hw = hw_free(d->hw);
	sd_event_source_unref(d->scan_timer);
	sd_event_source_unref(d->backup_timer);
	sd_event_source_unref(d->persist_source);
	run_state_free(d->run_state);
	station_free(d->station);
	sd_event_unref(d->event);
}

/* The exit status: EXIT_SUCCESS, EXIT_FAILURE when start-up failed, or
 * one of the EXIT_* above. */
static int run(const char *config_path, const char *state_dir)
{
	_cleanup_(daemon_done) struct daemon d = {};
	sigset_t mask;
	int r;

	d.config_path = config_path;
	d.state_dir = state_dir;
	r = check_state_dir(state_dir);
	if (r < 0)
		return r;
	r = load_station(&d, config_path, state_dir);
	if (r < 0)
		return r;

	/* Signals first: from here on a SIGTERM closes the valves. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return log_error_errno(errno, "cannot block SIGTERM, SIGINT and SIGHUP");

	r = open_station(&d);
	if (r < 0)
		return r;
	/* The fill history back, and what engine_new() changed (interrupted
	 * fills rescheduled) on the disk before anything else happens. */
	run_state_attach(d.run_state, d.engine);
	r = run_state_commit(d.run_state);
	if (r < 0)
		return log_error_errno(r, "cannot write the run state to %s", state_dir);

	r = sd_event_default(&d.event);
	if (r < 0)
		return log_error_errno(r, "cannot create the event loop");
	r = add_signal(d.event, SIGTERM, on_signal, &d);
	if (r >= 0)
		r = add_signal(d.event, SIGINT, on_signal, &d);
	if (r >= 0)
		r = add_signal(d.event, SIGHUP, on_sighup, &d);
	if (r < 0)
		return log_error_errno(r, "cannot watch SIGTERM, SIGINT and SIGHUP");
	/* WATCHDOG=1 from the loop itself, at half of $WATCHDOG_USEC. */
	r = sd_event_set_watchdog(d.event, true);
	if (r < 0)
		return log_error_errno(r, "cannot set up the watchdog");
	watch_hotplug(&d);

	d.scan_period_usec = 1000000000ull / d.station->globals.scan_rate_millihz;
	/* Accuracy 0 would mean sd-event's default of 250 ms of coalescing:
	 * longer than a scan period at 10 Hz. */
	r = sd_event_add_time_relative(d.event, &d.scan_timer, CLOCK_MONOTONIC, 0,
				       SCAN_TIMER_ACCURACY_USEC, on_scan, &d);
	if (r < 0)
		return log_error_errno(r, "cannot create the scan timer");
	r = sd_event_source_set_priority(d.scan_timer, PRIORITY_SCAN);
	if (r >= 0)
		r = sd_event_source_set_enabled(d.scan_timer, SD_EVENT_ON);
	if (r < 0)
		return log_error_errno(r, "cannot enable the scan timer");
	r = exhaust_sampler_new(d.event, d.engine, d.station->globals.exhaust_sample_rate_millihz,
				d.station->globals.scan_rate_millihz, &d.sampler);
	if (r < 0)
		return log_error_errno(r, "cannot create the exhaust sampling timer");
	r = sd_event_add_defer(d.event, &d.persist_source, on_persist, &d);
	if (r >= 0)
		r = sd_event_source_set_priority(d.persist_source, PRIORITY_PERSIST);
	if (r >= 0)
		r = sd_event_source_set_enabled(d.persist_source, SD_EVENT_OFF);
	if (r < 0)
		return log_error_errno(r, "cannot create the run-state writer");
	/* The secondary backup, every backup-interval; 1 s of slack is
	 * nothing against minutes and lets the kernel batch wake-ups. */
	r = sd_event_add_time_relative(d.event, &d.backup_timer, CLOCK_MONOTONIC,
				       d.station->globals.backup_interval_s * 1000000ull, 1000000,
				       on_backup_timer, &d);
	if (r >= 0)
		r = sd_event_source_set_enabled(d.backup_timer, SD_EVENT_ON);
	if (r < 0)
		return log_error_errno(r, "cannot create the backup timer");

	r = bus_manager_new(d.event, PRIORITY_BUS, d.engine, on_bus_disconnected, &d, &d.bus);
	if (r < 0)
		return log_error_errno(r, "cannot set up D-Bus");
	bus_manager_set_scan_timing(d.bus, &d.scan_timing);
	r = publish_autofill(&d);
	if (r >= 0)
		r = publish_cards(&d);
	if (r >= 0)
		r = start_cryostreams(&d);
	if (r >= 0)
		r = start_ccds(&d);
	if (r < 0)
		return r;

	log_event(LOG_INFO, LOG_EVENT_STARTED, LOG_NO_DETECTOR, NULL, NULL, 0,
		  "started: %zu detectors, %zu manifolds, scan every %" PRIu64 " us",
		  d.station->n_detectors, d.station->n_manifolds, d.scan_period_usec);
	notify_status(&d, "Running");

	r = sd_event_loop(d.event);
	/* A loop that ended on an error must still leave the valves closed. */
	shut_down(&d);
	if (r < 0) {
		log_error_errno(r, "event loop failed");
		return d.exit_status ? d.exit_status : EXIT_FAILURE;
	}
	return d.exit_status;
}

/*
 * Every detector and manifold keeps its ADC channel file open and every
 * relay and TTL line its request: a 1000-detector station needs more
 * descriptors than the customary soft limit of 1024. Nothing here uses
 * select(), so take the hard limit (systemd's LimitNOFILE=, 512K for a
 * service by default), as systemd advises daemons that need many files.
 */
static void raise_open_file_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
		log_event(LOG_WARNING, LOG_EVENT_GENERIC, LOG_NO_DETECTOR, NULL, NULL, errno,
			  "cannot read the open file limit");
		return;
	}
	if (rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		log_event(LOG_WARNING, LOG_EVENT_GENERIC, LOG_NO_DETECTOR, NULL, NULL, errno,
			  "cannot raise the open file limit to %ju", (uintmax_t)rl.rlim_max);
}

int main(int argc, char **argv)
{
	const char *config = NULL, *state_dir = DEFAULT_STATE_DIR;
	int r;

	log_open();
	r = log_parse_environment();
	if (r < 0)
		log_warning("ignoring SYSTEMD_LOG_LEVEL=%s: not a log level (debug..emerg or 7..0)",
			    getenv("SYSTEMD_LOG_LEVEL"));
	r = parse_args(argc, argv, &config, &state_dir);
	if (r <= 0)
		return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
	raise_open_file_limit();
	r = run(config, state_dir);
	return r < 0 ? EXIT_FAILURE : r;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * stationctl's CCD actions (see ccd-command.h). The daemon checks every
 * argument again against the loaded profile (a window inside the chip, a
 * binning within BIN_MAX); here only what needs no profile is checked, so
 * the error names the word the operator typed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "daemon/clients/ccd-command.h"
#include "daemon/shared/macro.h"

const char *ccd_action_names(void)
{
	return "status, setup, settings, run, glance, scratch, bias, dark, runkick, shutter, "
	       "sync-rtc, reset";
}

int parse_seconds_ms(const char *text, uint32_t max_ms, uint32_t *ret, char *why,
		     size_t why_size)
{
	uint64_t ms = 0;
	int decimals = -1;

	if (!*text) {
		snprintf(why, why_size, "empty");
		return -EINVAL;
	}
	for (const char *p = text; *p; p++) {
		if (*p == '.' && decimals < 0 && p != text) {
			decimals = 0;
			continue;
		}
		if (*p < '0' || *p > '9') {
			snprintf(why, why_size, "'%c' at column %zu is not a digit", *p,
				 (size_t)(p - text) + 1);
			return -EINVAL;
		}
		if (decimals >= 3) {
			snprintf(why, why_size, "more than 3 decimals (a millisecond is the unit)");
			return -EINVAL;
		}
		if (decimals >= 0)
			decimals++;
		ms = ms * 10 + (uint64_t)(*p - '0');
		if (ms > UINT64_C(1) << 40)
			break;
	}
	for (int d = decimals < 0 ? 0 : decimals; d < 3; d++)
		ms *= 10;
	if (ms > max_ms) {
		snprintf(why, why_size, "at most %u s", max_ms / 1000);
		return -EINVAL;
	}
	*ret = (uint32_t)ms;
	return 0;
}

/* A binning factor or a pixel coordinate: digits, 1..65535. */
static int parse_pixels(const char *what, const char *text, uint32_t *ret, char *why,
			size_t why_size)
{
	uint32_t v = 0;

	for (const char *p = text; *p; p++) {
		if (*p < '0' || *p > '9') {
			snprintf(why, why_size, "%s \"%s\": '%c' at column %zu is not a digit", what,
				 text, *p, (size_t)(p - text) + 1);
			return -EINVAL;
		}
		v = v * 10 + (uint32_t)(*p - '0');
		if (v > 65535)
			break;
	}
	if (!*text || v < 1 || v > 65535) {
		snprintf(why, why_size, "%s \"%s\": 1 to 65535", what, text);
		return -EINVAL;
	}
	*ret = v;
	return 0;
}

/* word, one of names (case does not matter): the name as the bus wants it. */
static const char *one_of(const char *word, const char *const *names)
{
	for (; *names; names++)
		if (strcasecmp(word, *names) == 0)
			return *names;
	return NULL;
}

static int call(struct ccd_request *req, const char *method, const char *signature)
{
	req->action = CCD_ACTION_CALL;
	req->method = method;
	snprintf(req->signature, sizeof(req->signature), "%s", signature);
	return 0;
}

static int count(int argc, int min, int max, const char *usage, char *why, size_t why_size)
{
	if (argc >= min && argc <= max)
		return 0;
	snprintf(why, why_size, "usage: %s", usage);
	return -EINVAL;
}

static int parse_settings(const struct model_ccd_format *current, int argc, char **argv,
			  struct ccd_request *req, char *why, size_t why_size)
{
	static const char *const readout_speeds[] = { "SLOW", "STANDARD", "FAST", NULL };
	static const char *const clear_speeds[] = { "QUICK", "NORMAL", NULL };
	const char *setting = argv[0];
	int r;

	if (strcmp(setting, "readout-speed") == 0 || strcmp(setting, "clear-speed") == 0) {
		bool readout = setting[0] == 'r';

		r = count(argc, 2, 2, readout ? "settings readout-speed SLOW|STANDARD|FAST" :
			  "settings clear-speed QUICK|NORMAL", why, why_size);
		if (r < 0)
			return r;
		req->text = one_of(argv[1], readout ? readout_speeds : clear_speeds);
		if (!req->text) {
			snprintf(why, why_size, "%s \"%s\": expected %s", setting, argv[1],
				 readout ? "SLOW, STANDARD or FAST" : "QUICK or NORMAL");
			return -EINVAL;
		}
		return call(req, readout ? "SetReadoutSpeed" : "SetClearSpeed", "s");
	}
	if (strcmp(setting, "exptime") == 0 || strcmp(setting, "preflash") == 0) {
		bool exposure = setting[0] == 'e';
		char reason[96];

		r = count(argc, 2, 2, exposure ? "settings exptime SECONDS" :
			  "settings preflash SECONDS", why, why_size);
		if (r < 0)
			return r;
		if (parse_seconds_ms(argv[1], exposure ? CCD_EXPOSURE_MAX_MS : CCD_PREFLASH_MAX_MS,
				     &req->ms, reason, sizeof(reason)) < 0) {
			snprintf(why, why_size, "%s \"%s\": %s", setting, argv[1], reason);
			return -EINVAL;
		}
		return call(req, exposure ? "SetExposureTime" : "SetPreflash", "u");
	}
	if (!current) {
		snprintf(why, why_size, "\"%s\" is not a setting", setting);
		return -EINVAL;
	}
	req->format = *current;
	if (strcmp(setting, "bin") == 0) {
		r = count(argc, 2, 3, "settings bin X [Y]", why, why_size);
		if (r >= 0)
			r = parse_pixels("bin", argv[1], &req->format.bin_x, why, why_size);
		if (r >= 0)
			r = parse_pixels("bin", argv[argc - 1], &req->format.bin_y, why, why_size);
	} else if (strcmp(setting, "window") == 0) {
		struct model_ccd_window *w;

		r = count(argc, 3, 6, "settings window 1|2 X1 Y1 X2 Y2 | settings window 1|2 off",
			  why, why_size);
		if (r < 0)
			return r;
		if (strcmp(argv[1], "1") != 0 && strcmp(argv[1], "2") != 0) {
			snprintf(why, why_size, "window \"%s\": the windows are 1 and 2", argv[1]);
			return -EINVAL;
		}
		w = &req->format.window[argv[1][0] - '1'];
		if (argc == 3 && strcmp(argv[2], "off") == 0) {
			*w = (struct model_ccd_window){};
		} else if (argc != 6) {
			snprintf(why, why_size, "window %s: X1 Y1 X2 Y2 or off", argv[1]);
			return -EINVAL;
		} else {
			r = parse_pixels("X1", argv[2], &w->x1, why, why_size);
			if (r >= 0)
				r = parse_pixels("Y1", argv[3], &w->y1, why, why_size);
			if (r >= 0)
				r = parse_pixels("X2", argv[4], &w->x2, why, why_size);
			if (r >= 0)
				r = parse_pixels("Y2", argv[5], &w->y2, why, why_size);
			if (r >= 0 && (w->x1 >= w->x2 || w->y1 >= w->y2)) {
				snprintf(why, why_size,
					 "window %s: X1 < X2 and Y1 < Y2 (corners 1-based, inclusive)",
					 argv[1]);
				r = -EINVAL;
			}
			w->valid = true;
		}
	} else if (strcmp(setting, "enable-windows") == 0 ||
		   strcmp(setting, "disable-windows") == 0) {
		r = count(argc, 1, 1, setting, why, why_size);
		req->format.windows_enabled = setting[0] == 'e';
	} else {
		snprintf(why, why_size,
			 "\"%s\" is not a setting (bin, window, enable-windows, disable-windows, "
			 "readout-speed, clear-speed, exptime, preflash)", setting);
		return -EINVAL;
	}
	if (r < 0)
		return r;
	return call(req, "SetFormat", "uub(buuuu)(buuuu)");
}

/* run [TYPE] SECONDS [TITLE], glance|scratch|dark SECONDS [TITLE], bias [TITLE] */
static int parse_run(int argc, char **argv, struct ccd_request *req, char *why, size_t why_size)
{
	static const char *const run_aliases[] = { "RUN", "ARC", "FLAT", "SKY", "FLASH", NULL };
	const char *action = argv[0];
	char reason[96];
	int i = 1;

	req->action = CCD_ACTION_RUN;
	if (strcmp(action, "bias") == 0) {
		if (count(argc, 1, 2, "bias [TITLE]", why, why_size) < 0)
			return -EINVAL;
		req->run_type = "BIAS";
	} else {
		if (strcmp(action, "run") == 0) {
			req->run_type = "RUN";
			if (argc > 1 && one_of(argv[1], run_aliases))
				req->run_type = one_of(argv[i++], run_aliases);
		} else {
			req->run_type = strcmp(action, "glance") == 0 ? "GLANCE" :
				strcmp(action, "scratch") == 0 ? "SCRATCH" : "DARK";
		}
		if (argc - i < 1 || argc - i > 2) {
			snprintf(why, why_size, "usage: %s SECONDS [TITLE]",
				 strcmp(action, "run") == 0 ? "run [arc|flat|sky|flash]" : action);
			return -EINVAL;
		}
		if (parse_seconds_ms(argv[i], CCD_EXPOSURE_MAX_MS, &req->ms, reason,
				     sizeof(reason)) < 0) {
			snprintf(why, why_size, "exposure time \"%s\": %s", argv[i], reason);
			return -EINVAL;
		}
		req->has_exposure = true;
		i++;
	}
	req->title = i < argc ? argv[i] : "";
	if (strlen(req->title) > CCD_TITLE_MAX) {
		snprintf(why, why_size, "the title is %zu characters, at most %d fit FITS' OBJECT",
			 strlen(req->title), CCD_TITLE_MAX);
		return -EINVAL;
	}
	for (const char *p = req->title; *p; p++)
		if (*p < 0x20 || *p > 0x7e) {
			snprintf(why, why_size,
				 "the title's character %zu is not printable ASCII (FITS)",
				 (size_t)(p - req->title) + 1);
			return -EINVAL;
		}
	return 0;
}

int ccd_request_parse(const struct model_ccd_format *current, int argc, char **argv,
		      struct ccd_request *ret, char *why, size_t why_size)
{
	static const char *const kicks[] = { "pause", "continue", "finish", "abort", NULL };
	static const char *const kick_methods[] = { "Pause", "Continue", "Finish", "Abort" };
	static const char *const moves[] = { "open", "close", "unjam", NULL };
	struct ccd_request req = {};
	const char *action = argc > 0 ? argv[0] : "status";
	int r;

	if (strcmp(action, "status") == 0) {
		r = count(argc, 0, 1, "status", why, why_size);
		req.action = CCD_ACTION_STATUS;
	} else if (strcmp(action, "setup") == 0) {
		r = count(argc, 1, 2, "setup [PROFILE]", why, why_size);
		req.text = argc > 1 ? argv[1] : "";
		if (r >= 0)
			r = call(&req, "Setup", "s");
	} else if (strcmp(action, "settings") == 0) {
		req.action = CCD_ACTION_SETTINGS;
		r = argc > 1 ? parse_settings(current, argc - 1, argv + 1, &req, why, why_size) : 0;
	} else if (strcmp(action, "run") == 0 || strcmp(action, "glance") == 0 ||
		   strcmp(action, "scratch") == 0 || strcmp(action, "bias") == 0 ||
		   strcmp(action, "dark") == 0) {
		r = parse_run(argc, argv, &req, why, why_size);
	} else if (strcmp(action, "runkick") == 0) {
		r = count(argc, 2, 2, "runkick pause|continue|finish|abort", why, why_size);
		if (r >= 0) {
			size_t k;

			for (k = 0; kicks[k] && strcmp(kicks[k], argv[1]) != 0; k++)
				;
			if (!kicks[k]) {
				snprintf(why, why_size,
					 "runkick \"%s\": expected pause, continue, finish or abort",
					 argv[1]);
				r = -EINVAL;
			} else {
				r = call(&req, kick_methods[k], "");
			}
		}
	} else if (strcmp(action, "shutter") == 0) {
		r = count(argc, 2, 2, "shutter open|close|unjam", why, why_size);
		if (r >= 0 && !(req.text = one_of(argv[1], moves))) {
			snprintf(why, why_size, "shutter \"%s\": expected open, close or unjam",
				 argv[1]);
			r = -EINVAL;
		}
		if (r >= 0)
			r = call(&req, "MoveShutter", "s");
	} else if (strcmp(action, "sync-rtc") == 0) {
		r = count(argc, 1, 1, "sync-rtc", why, why_size);
		if (r >= 0)
			r = call(&req, "SyncClock", "");
	} else if (strcmp(action, "reset") == 0) {
		r = count(argc, 1, 1, "reset", why, why_size);
		if (r >= 0)
			r = call(&req, "Reset", "");
		req.confirm = true;
	} else {
		snprintf(why, why_size, "\"%s\" is not a CCD action (%s)", action,
			 ccd_action_names());
		r = -EINVAL;
	}
	if (r < 0)
		return r;
	*ret = req;
	return 0;
}

int ccd_request_append(const struct ccd_request *req, sd_bus_message *m)
{
	const struct model_ccd_format *f = &req->format;
	int r;

	if (strcmp(req->signature, "s") == 0)
		r = sd_bus_message_append(m, "s", req->text);
	else if (strcmp(req->signature, "u") == 0)
		r = sd_bus_message_append(m, "u", req->ms);
	else if (strcmp(req->signature, "") == 0)
		r = 0;
	else
		r = sd_bus_message_append(m, "uub(buuuu)(buuuu)", f->bin_x, f->bin_y,
				     (int)f->windows_enabled, (int)f->window[0].valid,
				     f->window[0].x1, f->window[0].y1, f->window[0].x2,
				     f->window[0].y2, (int)f->window[1].valid, f->window[1].x1,
				     f->window[1].y1, f->window[1].x2, f->window[1].y2);
	return r < 0 ? r : 0;
}

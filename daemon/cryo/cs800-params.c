// SPDX-License-Identifier: GPL-2.0
/*
 * The table of Cryostream 800 status parameters (ids, names and units
 * from shared/spec/cryostream-cs800.md and the vendor's
 * OxcryoProperties.xml) and the conversions it drives.
 */
#include "daemon/cryo/cs800-params.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "daemon/shared/macro.h"

#define FIELD(f) .offset = offsetof(struct cs800_status, f)
#define INTEGER(i, n, p, u, f) \
	{ .id = i, .name = n, .property = p, .unit = u, .kind = CS800_KIND_INTEGER, FIELD(f) }
#define BOOLEAN(i, n, p, f) \
	{ .id = i, .name = n, .property = p, .unit = "", .kind = CS800_KIND_BOOLEAN, FIELD(f) }
#define SCALED(i, n, p, u, d, f) \
	{ .id = i, .name = n, .property = p, .unit = u, .kind = CS800_KIND_SCALED, \
	  .divisor = d, FIELD(f) }
/* Temperatures travel in centi-kelvin. */
#define KELVIN(i, n, p, f) SCALED(i, n, p, "K", 100, f)
#define ENUMERATION(i, n, p, f, to_s, np) \
	{ .id = i, .name = n, .property = p, .unit = "", .kind = CS800_KIND_ENUM, FIELD(f), \
	  .to_string = to_s, .name_property = np }

/* Sorted by id: cs800_param_by_id() searches it by bisection. Names are
 * the vendor's (OxcryoProperties.xml). */
static const struct cs800_param params[] = {
	INTEGER(1000, "Device", "DeviceType", "", device_type),
	INTEGER(1001, "Hardware", "DeviceSubtype", "", device_subtype),
	KELVIN(1002, "Min temp", "DeviceMinTemperature", device_min_temperature_k),
	KELVIN(1003, "Max temp", "DeviceMaxTemperature", device_max_temperature_k),
	INTEGER(1004, "Control firmware", "SoftwareVersion", "", software_version),
	INTEGER(1028, "Controller number", "ControllerNumber", "", controller_number),
	KELVIN(1032, "Default cool temp", "DefaultCoolTemperature", default_cool_temperature_k),
	KELVIN(1050, "Set temp", "SetPoint", set_point_k),
	KELVIN(1051, "Sample temp", "GasTemperature", gas_temperature_k),
	{ .id = 1052, .name = "Temp error", .property = "TemperatureError", .unit = "K",
	  .kind = CS800_KIND_SIGNED_SCALED, .divisor = 100, FIELD(error_k) },
	{ .id = 1053, .name = "Run mode", .property = "RunMode", .unit = "",
	  .kind = CS800_KIND_ENUM, FIELD(run_mode), .to_string = cs800_run_mode_to_string,
	  .name_property = "RunModeName", .to_description = cs800_run_mode_description,
	  .description_property = "RunModeDescription" },
	ENUMERATION(1054, "Phase id", "Phase", phase, cs800_phase_to_string, "PhaseName"),
	INTEGER(1055, "Ramp rate", "RampRate", "K/h", ramp_rate_k_per_h),
	KELVIN(1056, "Target temp", "TargetTemperature", target_temperature_k),
	KELVIN(1057, "Evap temp", "EvaporatorTemperature", evaporator_temperature_k),
	KELVIN(1058, "Suct temp", "SuctionTemperature", suction_temperature_k),
	INTEGER(1059, "Phase time remaining", "TimeRemaining", "min", time_remaining_min),
	SCALED(1060, "Gas flow", "GasFlow", "l/min", 10, gas_flow_l_per_min),
	INTEGER(1061, "Gas heat", "GasHeater", "%", gas_heater_percent),
	INTEGER(1062, "Evap heat", "EvaporatorHeater", "%", evaporator_heater_percent),
	INTEGER(1063, "Average suct heat", "AverageSuctionHeater", "%",
		average_suction_heater_percent),
	SCALED(1064, "Back pressure", "BackPressure", "bar", 100, back_pressure_bar),
	ENUMERATION(1065, "Alarm code", "Alarm", alarm, cs800_alarm_to_string, "AlarmName"),
	INTEGER(1066, "Run time", "RunTime", "min", run_time_min),
	INTEGER(1067, "Evap shift", "EvaporatorShift", "%", evaporator_shift_percent),
	BOOLEAN(1068, "Turbo mode", "TurboMode", turbo_mode),
	INTEGER(1069, "Average gas heat", "AverageGasHeater", "%", average_gas_heater_percent),
	INTEGER(1070, "Suct heat", "SuctionHeater", "%", suction_heater_percent),
	BOOLEAN(1071, "Suspended", "Suspended", suspended),
	INTEGER(1072, "Received", "CommandsReceived", "", commands_received),
	INTEGER(1073, "Missed", "CommandsMissed", "", commands_missed),
	INTEGER(1101, "FC Back pressure", "FlowControllerBackPressure", "mbar",
		fc_back_pressure_mbar),
	INTEGER(1103, "FC Valve opening", "FlowControllerValveOpening", "%",
		fc_valve_opening_percent),
	SCALED(1115, "FC Interrupt time", "FlowInterruptTime", "s", 10, flow_interrupt_time_s),
	INTEGER(1116, "FC Interrupt state", "FlowInterruptState", "", flow_interrupt_state),
	INTEGER(1117, "FC Interrupt count", "FlowInterruptCount", "", flow_interrupt_count),
	SCALED(1203, "AF LN level", "LN2Level", "%", 100, ln2_level_percent),
	SCALED(1207, "AF Refill level", "AutofillRefillLevel", "%", 100,
	       autofill_refill_level_percent),
	SCALED(1208, "AF Stop level", "AutofillStopLevel", "%", 100, autofill_stop_level_percent),
	ENUMERATION(1209, "AF Mode", "AutofillMode", autofill_mode, cs800_autofill_mode_to_string,
		    "AutofillModeName"),
	INTEGER(1211, "AF Status", "AutofillStatus", "", autofill_status),
	KELVIN(2010, "Coldhead temp", "ColdheadTemperature", coldhead_temperature_k),
	KELVIN(2011, "Shield temp", "ShieldTemperature", shield_temperature_k),
	INTEGER(2012, "Vacuum gauge", "VacuumGauge", "mV", vacuum_gauge_mv),
	KELVIN(2013, "Nozzle temp", "NozzleTemperature", nozzle_temperature_k),
	INTEGER(2014, "Sample heat", "SampleHeater", "%", sample_heater_percent),
	INTEGER(2015, "Coldhead heat", "ColdheadHeater", "%", coldhead_heater_percent),
	INTEGER(2016, "Shield heat", "ShieldHeater", "%", shield_heater_percent),
	INTEGER(2017, "Nozzle heat", "NozzleHeater", "%", nozzle_heater_percent),
	INTEGER(2019, "Average sample heat", "AverageSampleHeater", "%",
		average_sample_heater_percent),
	INTEGER(2020, "Average nozzle heat", "AverageNozzleHeater", "%",
		average_nozzle_heater_percent),
	KELVIN(2030, "Sample holder temp", "SampleHolderTemperature", sample_holder_temperature_k),
	KELVIN(2031, "Cryostat temp", "CryostatTemperature", cryostat_temperature_k),
	BOOLEAN(2032, "Sample holder present", "SampleHolderPresent", sample_holder_present),
	INTEGER(2034, "Phase time elapsed", "PhaseTimeElapsed", "min", phase_time_elapsed_min),
	KELVIN(2035, "Suct set temp", "SuctionSetTemperature", suction_set_temperature_k),
	KELVIN(2036, "Nozzle set temp", "NozzleSetTemperature", nozzle_set_temperature_k),
	KELVIN(2041, "Collar temp", "CollarTemperature", collar_temperature_k),
	INTEGER(2042, "Vacuum sensor", "VacuumSensor", "mbar", vacuum_sensor_mbar),
	ENUMERATION(2044, "Alarm level", "AlarmLevel", alarm_level, cs800_alarm_level_to_string,
		    "AlarmLevelName"),
	INTEGER(2519, "Shield flow mode", "ShieldFlowMode", "", shield_flow_mode),
	SCALED(2520, "Shield flow requested", "ShieldFlowRequested", "l/min", 100,
	       shield_flow_requested_l_per_min),
};

_Static_assert(ELEMENTSOF(params) <= CS800_PARAMS_MAX, "cs800_param_set too small");

const struct cs800_param *cs800_params(size_t *count)
{
	*count = ELEMENTSOF(params);
	return params;
}

size_t cs800_param_index(const struct cs800_param *param)
{
	return (size_t)(param - params);
}

const struct cs800_param *cs800_param_by_id(uint16_t id)
{
	size_t lo = 0, hi = ELEMENTSOF(params);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (params[mid].id == id)
			return &params[mid];
		if (params[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct cs800_param *cs800_param_by_property(const char *property)
{
	for (size_t i = 0; i < ELEMENTSOF(params); i++)
		if (strcmp(params[i].property, property) == 0)
			return &params[i];
	return NULL;
}

bool cs800_status_has(const struct cs800_status *status, uint16_t id)
{
	const struct cs800_param *param = cs800_param_by_id(id);

	return param && cs800_param_set_has(&status->present, cs800_param_index(param));
}

enum cs800_value_type cs800_param_value_type(const struct cs800_param *param)
{
	switch (param->kind) {
	case CS800_KIND_SCALED:
	case CS800_KIND_SIGNED_SCALED:
		return CS800_VALUE_DOUBLE;
	case CS800_KIND_BOOLEAN:
		return CS800_VALUE_BOOLEAN;
	case CS800_KIND_INTEGER:
	case CS800_KIND_ENUM:
		break;
	}
	return CS800_VALUE_UINT16;
}

static size_t value_size(const struct cs800_param *param)
{
	switch (cs800_param_value_type(param)) {
	case CS800_VALUE_DOUBLE:
		return sizeof(double);
	case CS800_VALUE_BOOLEAN:
		return sizeof(bool);
	case CS800_VALUE_UINT16:
		break;
	}
	return sizeof(uint16_t);
}

void cs800_param_store(const struct cs800_param *param, struct cs800_status *status, uint16_t raw)
{
	char *field = (char *)status + param->offset;
	double d;
	bool b;

	switch (param->kind) {
	case CS800_KIND_SCALED:
		d = (double)raw / param->divisor;
		memcpy(field, &d, sizeof(d));
		return;
	case CS800_KIND_SIGNED_SCALED:
		d = (double)(int16_t)raw / param->divisor;
		memcpy(field, &d, sizeof(d));
		return;
	case CS800_KIND_BOOLEAN:
		b = raw != 0;
		memcpy(field, &b, sizeof(b));
		return;
	case CS800_KIND_INTEGER:
	case CS800_KIND_ENUM:
		break;
	}
	memcpy(field, &raw, sizeof(raw));
}

void cs800_param_copy(const struct cs800_param *param, struct cs800_status *to,
		      const struct cs800_status *from)
{
	memcpy((char *)to + param->offset, (const char *)from + param->offset, value_size(param));
}

void cs800_param_get(const struct cs800_param *param, const struct cs800_status *status,
		     struct cs800_value *ret)
{
	const char *field = (const char *)status + param->offset;

	ret->type = cs800_param_value_type(param);
	switch (ret->type) {
	case CS800_VALUE_DOUBLE:
		memcpy(&ret->d, field, sizeof(ret->d));
		break;
	case CS800_VALUE_BOOLEAN:
		memcpy(&ret->b, field, sizeof(ret->b));
		break;
	case CS800_VALUE_UINT16:
		memcpy(&ret->q, field, sizeof(ret->q));
		break;
	}
}

static uint16_t clamp_u16(double v)
{
	if (!(v > 0))
		return 0;
	if (v > UINT16_MAX)
		return UINT16_MAX;
	return (uint16_t)lround(v);
}

static uint16_t clamp_s16(double v)
{
	if (isnan(v))
		return 0;
	if (v < INT16_MIN)
		v = INT16_MIN;
	if (v > INT16_MAX)
		v = INT16_MAX;
	return (uint16_t)(int16_t)lround(v);
}

uint16_t cs800_param_raw(const struct cs800_param *param, const struct cs800_status *status)
{
	struct cs800_value v;

	cs800_param_get(param, status, &v);
	switch (param->kind) {
	case CS800_KIND_SCALED:
		return clamp_u16(v.d * param->divisor);
	case CS800_KIND_SIGNED_SCALED:
		return clamp_s16(v.d * param->divisor);
	case CS800_KIND_BOOLEAN:
		return v.b ? 1 : 0;
	case CS800_KIND_INTEGER:
	case CS800_KIND_ENUM:
		break;
	}
	return v.q;
}

bool cs800_value_equal(const struct cs800_value *a, const struct cs800_value *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case CS800_VALUE_DOUBLE:
		return a->d == b->d;
	case CS800_VALUE_BOOLEAN:
		return a->b == b->b;
	case CS800_VALUE_UINT16:
		break;
	}
	return a->q == b->q;
}

int cs800_param_format(const struct cs800_param *param, const struct cs800_status *status,
		       char *buf, size_t size)
{
	struct cs800_value v;
	const char *name;
	int n;

	cs800_param_get(param, status, &v);
	switch (param->kind) {
	case CS800_KIND_SCALED:
	case CS800_KIND_SIGNED_SCALED:
		/* As many decimals as the wire has: 0.01 K, 0.1 l/min. */
		n = snprintf(buf, size, "%.*f %s", param->divisor >= 100 ? 2 : 1, v.d,
			     param->unit);
		break;
	case CS800_KIND_BOOLEAN:
		n = snprintf(buf, size, "%s", v.b ? "on" : "off");
		break;
	case CS800_KIND_ENUM:
		name = param->to_string(v.q);
		n = snprintf(buf, size, "%s (%u)", name ?: "unknown", v.q);
		break;
	case CS800_KIND_INTEGER:
	default:
		n = snprintf(buf, size, "%u%s%s", v.q, param->unit[0] ? " " : "", param->unit);
		break;
	}
	if (n < 0 || (size_t)n >= size)
		return -ENOBUFS;
	return n;
}

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The Oxford Cryostream link in the full daemon (issues 6 and 12), the
# decoding and the commands (cryostream-scenario-lib.sh: two simulated
# controllers, 411 with its address configured, 369 locked onto its
# first address). Introspection against dbus/org.stationd1.Cryostream.xml;
# refused arguments and callers with nothing sent; Cool until the gas is
# there, History, and the rest of the vendor's command set confirmed;
# simulators spoofing 411's and 369's numbers from 127.0.0.4/.5: rejected,
# counted as "source", a Fault, nothing followed, commands still to the
# real ones; packets of another size (unknown ids added, one left out)
# taken, Parameters, the stale list and the missing counts; alarm 47
# "Autofill filling" at warning level (journal priority 4, no Fault) and
# a fatal one with a Fault. The faults are stationd-cryostream-faults.
# timeout: 600
# shellcheck disable=SC2317,SC2016,SC2034 # helpers and variables used through check, poll and eval
. "$STATIOND_TOP/tests/vm/cryostream-scenario-lib.sh"

cryostream_scenario_begin stationd-cryostream
expect_eq "CS1 is controller 369, its commands go where its first packet came from" \
	"$(gets $CS1 ControllerNumber CommandAddress)" 'q 369 | s "127.0.0.3:30305"'
expect_eq "CS0: 411; RunModeName short, RunModeDescription the vendor's; LN2 and refill level in percent (8800 hundredths are 88 %); nothing stale in the EPICS-size packet" \
	"$(gets $CS0 ControllerNumber RunModeName RunModeDescription LN2Level AutofillRefillLevel StaleProperties)" \
	'q 411 | s "Run" | s "Running" | d 88 | d 30 | as 0'
check "GasTemperature starts at room temperature" prop_near $CS0 GasTemperature 294 1

intro=$(station_busctl introspect --list org.stationd1 $CS0 2>&1)
for name in Cool Ramp Plat Hold End Purge Pause Resume Stop Turbo Restart Regen \
	SetFlowInterruptTime InterruptFlow RunShield SetIdleShieldFlowMode SetAutofillMode \
	SetAutofillRefillLevel SetAutofillStopLevel History Parameters Fault GasTemperature \
	AlarmName AlarmLevel AlarmLevelName RunModeDescription StaleProperties \
	UnknownParameters MissingParameters CommandsReceived CommandsMissed; do
	grep -q "^\.$name " <<<"$intro" || missing="${missing:-} $name"
done
expect_eq "introspect: the vendor's command set, Parameters, Fault and the properties" \
	"${missing:-}" ""
check "introspect: Parameters -> a{qq}, SetAutofillMode s, History u -> a(tddd)" eval \
	'grep -q "^\.Parameters *method *- *a{qq}" <<<"$intro" &&
	 grep -q "^\.SetAutofillMode *method *s " <<<"$intro" &&
	 grep -q "^\.History *method *u *a(tddd)" <<<"$intro"'
xml_props=$(sed -n 's/.*<property name="\([A-Za-z0-9]*\)".*/\1/p' \
	"$STATIOND_TOP/dbus/org.stationd1.Cryostream.xml" | sort)
bus_props=$(awk '$2 == "property" { sub(/^\./, "", $1); print $1 }' <<<"$intro" | sort)
expect_eq "introspect: exactly the properties of dbus/org.stationd1.Cryostream.xml" \
	"$bus_props" "$xml_props"

section "refused: nothing reaches the simulator"
received_before=$(sim_state sim411 received)
denied=$(setpriv --reuid=65534 --regid=65534 --clear-groups gdbus call \
	--address "$STATION_BUS_ADDRESS" --dest org.stationd1 --object-path $CS0 \
	--method $I.Cool 150.0 2>&1)
check "no polkitd: nobody's Cool is refused with AccessDenied naming the action" \
	grep -q "AccessDenied: operator interventions need uid 0.*org.stationd1.cryostream.command" <<<"$denied"
grep -q "AccessDenied" <<<"$denied" || echo "# nobody's Cool got: ${denied//$'\n'/ }"
check "Cool 5000 K: InvalidArgs naming the device maximum" \
	grep -q "above the device maximum 400.00 K" <<<"$(call $CS0 $I Cool d 5000)"
check "Ramp at 2.5 K/h: refused, the wire takes whole K/h" \
	grep -q "not a whole number" <<<"$(call $CS0 $I Ramp dd 2.5 200)"
check "Ramp at 361 K/h: refused (vendor range 0-360)" \
	grep -q "outside the device range 0-360 K/h" <<<"$(call $CS0 $I Ramp dd 361 200)"
check "SetAutofillRefillLevel 41: refused (20-40 %)" \
	grep -q "outside 20-40 %" <<<"$(call $CS0 $I SetAutofillRefillLevel q 41)"
check "SetFlowInterruptTime 0: refused (1-600 ds)" \
	grep -q "outside 1-600 ds" <<<"$(call $CS0 $I SetFlowInterruptTime q 0)"
check "SetAutofillMode 'weekly': refused, naming the modes" \
	grep -q "not one of manual, auto, scheduled" <<<"$(call $CS0 $I SetAutofillMode s weekly)"
sleep 1	# anything sent would have arrived
expect_eq "nothing reached the simulator (its Received count)" \
	"$(sim_state sim411 received)" "$received_before"

section "Cool, and the rest of the command set"
start=$SECONDS
reply=$(call $CS0 $I Cool d 120.0)
expect_eq "Cool 120.0 returns once a status packet confirms it" "$?:$reply" "0:"
echo "# Cool confirmed after $((SECONDS - start)) s"
expect_eq "the simulator got exactly one command" "$(sim_state sim411 received)" \
	"$((received_before + 1))"
expect_eq "CommandsReceived shows it, TargetTemperature reads 120 K" \
	"$(gets $CS0 CommandsReceived TargetTemperature)" "q $((received_before + 1)) | d 120"
check "the simulator's gas converges to 120 K" poll 30 eval \
	'near "$(sim_state sim411 gas)" 120 0.05'
check "GasTemperature follows to 120 K" poll 10 prop_near $CS0 GasTemperature 120 0.05
check "PropertiesChanged carried GasTemperature and SetPoint" eval \
	'grep "cryostream/CS0" "$work/monitor.log" | grep PropertiesChanged | grep -q GasTemperature &&
	 grep "cryostream/CS0" "$work/monitor.log" | grep PropertiesChanged | grep -q SetPoint'
check "CS1 was not touched (still at room temperature)" prop_near $CS1 GasTemperature 294 1
history=$(call $CS0 $I History u 60)
samples=$(awk '{ print $2 }' <<<"$history")
last_gas=$(awk '{ print $(NF - 2) }' <<<"$history")
echo "# History 60: $samples samples, the last gas temperature $last_gas K"
check "History 60 s: samples of gas, set point and flow, the last at 120 K" eval \
	'[ "$samples" -ge 5 ] && near "$last_gas" 120 0.05'
expect_eq "Turbo on CS1 (the address of its first packet) is confirmed" \
	"$(call $CS1 $I Turbo b true; echo "rc=$?")" "rc=0"
expect_eq "TurboMode of CS1 reads true" "$(get $CS1 TurboMode)" "b true"
# Each returns once a status packet confirms it (empty output, status 0).
confirmed() { call "$@" && echo confirmed; }
expect_eq "Ramp at 0 K/h (the vendor's minimum), SetAutofillRefillLevel 25, SetAutofillStopLevel 75, SetAutofillMode scheduled, SetFlowInterruptTime 50 ds, InterruptFlow, RunShield on and SetIdleShieldFlowMode auto (by Received alone) are each confirmed" \
	"$(confirmed $CS0 $I Ramp dd 0 150; confirmed $CS0 $I SetAutofillRefillLevel q 25
	   confirmed $CS0 $I SetAutofillStopLevel q 75; confirmed $CS0 $I SetAutofillMode s scheduled
	   confirmed $CS0 $I SetFlowInterruptTime q 50; confirmed $CS0 $I InterruptFlow
	   confirmed $CS0 $I RunShield b true; confirmed $CS0 $I SetIdleShieldFlowMode s auto)" \
	"$(printf 'confirmed\n%.0s' 1 2 3 4 5 6 7 8 | head -c -1)"
expect_eq "... RampRate 0, the autofill levels 25 and 75 %, mode scheduled, interrupt time 5 s, one interruption" \
	"$(gets $CS0 RampRate AutofillRefillLevel AutofillStopLevel AutofillModeName FlowInterruptTime FlowInterruptCount)" \
	'q 0 | d 25 | d 75 | s "scheduled" | d 5 | q 1'
expect_eq "Regen is confirmed by phase Regen" "$(call $CS0 $I Regen; echo "rc=$?")" "rc=0"
check "... and ends in Hold with alarm 54 Regen complete" poll 20 eval \
	'[ "$(gets $CS0 AlarmName PhaseName)" = "s \"Regen complete\" | s \"Hold\"" ]'
check "Regen complete is information: in the journal at priority 6 (LOG_INFO)" poll 5 \
	journal_has 6 "cryostream CS0: alarm 54 (information): Regen complete"

section "somebody else speaks for 411 and 369"
start_sim spoof411 411 127.0.0.4 --start-temperature 200
start_sim spoof369 369 127.0.0.5 --start-temperature 200
check "a spoofed packet with 411 from 127.0.0.4 is rejected and counted as \"source\"" \
	poll 10 eval '[ "$(by_reason $CS0 source)" -ge 2 ]'
check "... a Fault 'source' for CS0" poll 5 fault $CS0 source
check "... and CS1's number from 127.0.0.5 likewise (locked onto its first address)" \
	poll 10 eval '[ "$(by_reason $CS1 source)" -ge 2 ] && fault $CS1 source'
check "the spoofed temperature shows nowhere (CS0 still near 120 K)" prop_near $CS0 GasTemperature 120 1
check "... nor on CS1 (near 294 K)" prop_near $CS1 GasTemperature 294 1
expect_eq "CS0's commands still go to its address" "$(get $CS0 CommandAddress)" \
	's "127.0.0.2:30305"'
expect_eq "CS1's commands still go to its first address" "$(get $CS1 CommandAddress)" \
	's "127.0.0.3:30305"'
check "the journal names the spoofer" grep -q "came from 127.0.0.4:30305, not from its configured address 127.0.0.2" \
	"$work/journal.log"
received_before=$(sim_state spoof411 received)
expect_eq "Hold still goes to the real CS0" "$(call $CS0 $I Hold; echo "rc=$?")" "rc=0"
expect_eq "... not to the spoofer" "$(sim_state spoof411 received)" "$received_before"
stop_sim spoof411
stop_sim spoof369

section "packets of another size"
rejected=$(get $CS0 PacketsRejected)
unknown=$(get $CS0 UnknownParameters)
sim sim411 "omit 1057"
sim sim411 "extra 4711 7"
sim sim411 "extra 4712 8"
check "a 932-byte packet (231 pairs, two more unknown ids, 1057 left out) is taken" \
	poll 10 eval '[ "$(get $CS0 UnknownParameters)" = "q $((${unknown#q } + 2))" ]'
check "... StaleProperties lists EvaporatorTemperature" poll 5 eval \
	'grep -q "\"EvaporatorTemperature\"" <<<"$(get $CS0 StaleProperties)"'
pairs=$(station_busctl call org.stationd1 $CS0 $I Parameters)
npairs=$(awk '{ print $2 }' <<<"$pairs")
expect_eq "Parameters returns the 231 pairs as sent" "$npairs" 231
check "... with the unknown ids and their values (4711 7, 4712 8)" eval \
	'grep -q " 4711 7 " <<<"$pairs " && grep -q " 4712 8 " <<<"$pairs "'
check "... and without 1057" eval '! grep -q " 1057 [0-9]* " <<<"$pairs "'
expect_eq "nothing was rejected" "$(get $CS0 PacketsRejected)" "$rejected"
check "MissingParameters counts the packets without 1057" eval \
	'grep -Eq "1057 [1-9]" <<<"$(get $CS0 MissingParameters)"'
check "EvaporatorTemperature keeps its last value (80 K)" prop_near $CS0 EvaporatorTemperature 80 0.01
sim sim411 "include 1057"
check "1057 again: nothing stale" poll 5 eval '[ "$(get $CS0 StaleProperties)" = "as 0" ]'

section "alarms at the vendor's levels"
sim sim411 "alarm 47"
check "alarm 47 is \"Autofill filling\"" poll 5 eval \
	'[ "$(get $CS0 AlarmName)" = "s \"Autofill filling\"" ]'
expect_eq "... at warning level" "$(get $CS0 AlarmLevel) $(get $CS0 AlarmLevelName)" \
	'q 2 s "warning"'
check "... in the journal at priority 4 (LOG_WARNING)" poll 5 \
	journal_has 4 "cryostream CS0: alarm 47 (warning): Autofill filling"
check "... and no Fault for a warning" eval '! fault $CS0 alarm'
sim sim411 "alarm 36"
check "alarm 36 \"High temp error\" (fatal): a Fault 'alarm'" poll 5 fault $CS0 alarm
check "... in the journal at priority 2 (LOG_CRIT)" poll 5 \
	journal_has 2 "cryostream CS0: alarm 36 (fatal): High temp error"
sim sim411 "alarm 0"
check "alarm 0 clears AlarmName" poll 5 eval \
	'[ "$(get $CS0 AlarmName)" = "s \"No errors or warnings\"" ]'

stop_sims
station_stop_daemon
expect_eq "stationd stops cleanly" "$?" 0
exit "$scenario_failed"

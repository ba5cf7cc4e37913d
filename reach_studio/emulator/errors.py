"""Kaltura API errors as the emulator raises them.

Kaltura defines each error as one string "CODE;ARG_NAMES;message with @ARG@ placeholders"
(api_v3/lib/KalturaErrors.php and the plugins' error classes, e.g. plugins/reach/errors/KalturaReachErrors.php). Keeping the same table here means a
handler anywhere only writes `raise ApiError("ENTRY_ID_NOT_FOUND", ENTRY_ID=entry_id)` and the client
gets Kaltura's code, message and args. Services of the other emulator modules add their own codes
with `register_errors(...)` instead of editing this table.
"""

from __future__ import annotations

ERROR_TABLE: dict[str, tuple[tuple[str, ...], str]] = {}


def register_errors(*definitions: str) -> None:
    """Add errors given in Kaltura's "CODE;ARG1,ARG2;message @ARG1@" form."""
    for definition in definitions:
        code, arg_names, message = definition.split(";", 2)
        names = tuple(name for name in arg_names.split(",") if name)
        ERROR_TABLE[code] = (names, message)


register_errors(
    # generic (KalturaErrors.php)
    "INTERNAL_SERVERL_ERROR;;Internal server error occurred",
    "MISSING_KS;;Missing KS, session not established",
    'INVALID_KS;KSID,ERR_CODE,ERR_DESC;Invalid KS "@KSID@" Error "@ERR_CODE@,@ERR_DESC@"',
    "SERVICE_FORBIDDEN;SERVICE;The access to service [@SERVICE@] is forbidden",
    "SERVICE_FORBIDDEN_CONTENT_BLOCKED;;The access to this service is forbidden since the specified partner is blocked",
    "FEATURE_FORBIDDEN;FEATURE;The usage of feature [@FEATURE@] is forbidden",
    'SERVICE_DOES_NOT_EXISTS;SRV_NAME;Service "@SRV_NAME@" does not exist',
    'ACTION_DOES_NOT_EXISTS;ACTION_NAME,SERVICE_NAME;Action "@ACTION_NAME@" does not exist for service "@SERVICE_NAME@"',
    'MISSING_MANDATORY_PARAMETER;PARAM_NAME;Missing parameter "@PARAM_NAME@"',
    'INVALID_ENUM_VALUE;ENUM_VAL,PARAM_NAME,ENUM_TYPE;Invalid enumeration value "@ENUM_VAL@" for parameter "@PARAM_NAME@", '
    'expecting enumeration type: "@ENUM_TYPE@"',
    'PROPERTY_VALIDATION_CANNOT_BE_NULL;PROP_NAME;The property "@PROP_NAME@" cannot be null',
    'PROPERTY_VALIDATION_NOT_UPDATABLE;PROP_NAME;The property "@PROP_NAME@" cannot be updated',
    'PROPERTY_VALIDATION_WRONG_FORMAT;PROP_NAME,TYPE;The property "@PROP_NAME@" must be of type "@TYPE@"',
    'PROPERTY_VALIDATION_MIN_VALUE;PROP_NAME,MIN_VALUE;The property "@PROP_NAME@" must have a min value of @MIN_VALUE@',
    'PROPERTY_VALIDATION_MAX_VALUE;PROP_NAME,MAX_VALUE;The property "@PROP_NAME@" must have a max value of @MAX_VALUE@',
    'OBJECT_TYPE_NOT_FOUND;CLASS_NAME;Object type "@CLASS_NAME@" not found',
    'OBJECT_TYPE_ABSTRACT;CLASS_NAME;Abstract type "@CLASS_NAME@" cannot be instantiated',
    'INVALID_OBJECT_TYPE;CLASS_NAME;Invalid object type "@CLASS_NAME@"',
    'INVALID_OBJECT_ID;ID;Invalid object id "@ID@"',
    'INVALID_PARTNER_ID;PARTNER_ID;Invalid partner id "@PARTNER_ID@"',
    "START_SESSION_ERROR;PID;Error while starting session for partner [@PID@]",
    'INVALID_WIDGET_ID;WIDGET_ID;Invalid widget id "@WIDGET_ID@"',
    "INVALID_USER_ID;;Invalid user id",
    # entries and assets that the REACH services refer to
    'ENTRY_ID_NOT_FOUND;ENTRY_ID;Entry id "@ENTRY_ID@" not found',
    # app tokens (AppTokenService.php)
    "APP_TOKEN_ID_NOT_FOUND;ID;Application token id [@ID@] not found",
    "APP_TOKEN_NOT_ACTIVE;ID;Application token id [@ID@] is not active",
    "APP_TOKEN_EXPIRED;ID;Application token id [@ID@] expired",
    "INVALID_APP_TOKEN_HASH;;Invalid application token hash",
    # REACH (KalturaReachErrors.php)
    "ENTRY_VENDOR_TASK_NOT_FOUND;ID;Entry vendor task item with id provided not found [@ID@]",
    "CATALOG_ITEM_NOT_FOUND;ID;Catalog item with id provided not found [@ID@]",
    "REACH_PROFILE_NOT_FOUND;ID;Reach profile with id provided not found [@ID@]",
    "VENDOR_TASK_SERVICE__GET_JOB_NOT_ALLOWED;ID;Vendor task service 'Get Job' action not allowed. Vendor partner "
    "Type is not enabled on partner [@ID@]",
    "CANNOT_UPDATE_STATUS_OF_TASK_WHICH_IS_IN_FINAL_STATE;ID,OLD_STATUS,NEW_STATUS;Cannot update status from "
    "[@OLD_STATUS@] to [@NEW_STATUS@] for task with id [@ID@], since task is in final status",
    "CANNOT_UPDATE_UNIT_USED_OF_TASK_WHICH_IS_IN_FINAL_STATE;ID,OLD_UNITS_USED,NEW_UNITS_USED;Cannot update unitsUsed "
    "from [@OLD_UNITS_USED@] to [@NEW_UNITS_USED@] for task with id [@ID@], since task is in final state",
    "CANNOT_EXTEND_ACCESS_KEY;;Extending accessKey for non processing task is not allowed",
    "FAILED_EXTEND_ACCESS_KEY;;Extending accessKey operation failed",
    "PARTNER_DATA_NOT_VALID_JSON_STRING;;Partner data must be a valid json string",
    "ENTRY_VENDOR_TASK_ITEM_COULD_NOT_BE_UPDATED;REASON;@REASON@",
    "CANNOT_ABORT_NOT_MODERATED_TASK;;Cannot abort task which is not pending moderation",
    "ENTRY_VENDOR_TASK_ACTION_NOT_ALLOWED;ID,USER_ID;User id [@USER_ID@] is not allowed to do actions on entryVendorTask "
    "[@ID@]",
)


class ApiError(Exception):
    """A Kaltura API exception: answered to the client as KalturaAPIException with HTTP 200."""

    def __init__(self, code: str, **args: object) -> None:
        self.code = code
        names, template = ERROR_TABLE.get(code, ((), code))
        self.args_map: dict[str, str] = {
            name: "" if args.get(name) is None else str(args[name]) for name in names
        }
        for name, value in args.items():
            if name not in self.args_map:
                self.args_map[name] = "" if value is None else str(value)
        message = template
        for name, value in self.args_map.items():
            message = message.replace(f"@{name}@", value)
        self.message = message
        super().__init__(f"{code}: {message}")

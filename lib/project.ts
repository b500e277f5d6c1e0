/**
 * Where people report a wrong result: the project's issue tracker, "new issue" form. The popup's
 * "Report a wrong result" opens it with the report prefilled; nothing is sent by itself.
 */
export const ISSUE_TRACKER_URL = 'https://github.com/carrierflag/carrierflag/issues/new';

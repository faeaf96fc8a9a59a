//! Wording that only the Telegram front end says (commands, group etiquette, buttons).
//! Topic answers, the urgent block, the red-flag sources and the disclaimer come from the
//! knowledge base through `Reply` and the engine's doors (`domain::doors`); nothing here gives
//! medical information of its own. All strings are HTML-safe.

/// `/start` in a private chat.
pub const START: &str = "Hi, I'm <b>backleg</b>. I answer questions about back pain that travels into the leg: \
what sciatica is, what can cause it, what you can do, and when to get help immediately.\n\n\
I give general information from one article, <b>not a diagnosis</b>, and I can't advise on medicines, doses or surgery. \
When a message mentions a warning sign, I add when to get help. I only know what you write and I can miss things, \
so if you are worried, contact a doctor.\n\n\
Just type your question, for example: <i>why does my back pain go down my leg?</i>\n\
/topics lists what I can answer, /check runs a short red-flag check, /urgent shows when to get help now.";

/// `/help`.
pub const HELP: &str = "<b>How to use me</b>\n\
In a private chat, just type your question.\n\
In a group, ask with /ask <i>question</i>, mention me, or reply to one of my messages.\n\n\
/topics – what I can answer\n\
/check – a short red-flag check, one question at a time\n\
/urgent – when to seek medical help immediately\n\
/about – where my answers come from\n\
/privacy – what I keep (no message text, ever)\n\
/redflags on|off – group admins: the red-flag watch\n\
/emergency <i>GB</i> or <i>112</i> – the emergency number I give (in a group, admins set it)\n\
/card – the red-flag card, to keep; /card pin – group admins: pin it\n\
/alerts on|off – group admins: a private alert on an emergency";

/// A group member over `--group-answers-per-minute`: said once, then silence until the minute
/// passes (`endpoints/group_limit.rs`). No medical content.
pub const GROUP_SLOW_DOWN: &str = "You're asking faster than I answer in a group, so I'll pause your questions for a minute to keep the chat readable for everyone. \
Ask again in a minute, or talk to me in a private chat, where there's no such pause. \
If you mention a warning sign, I still answer it straight away.";

/// `/topics` heading.
pub const TOPICS: &str = "<b>What I can answer</b>\nPick a topic:";

/// `/privacy`.
pub const PRIVACY: &str = "<b>Privacy</b>\n\
I never store or log what you write. Messages are read, answered and forgotten.\n\
For groups I keep the chat id and its settings (whether the red-flag watch is on, and when I last posted a red-flag notice).\n\
During a /check I keep your yes/no answers until the check ends, and never longer than 30 minutes.\n\
So that a short follow-up like “is it serious?” makes sense, I keep the name of the topic I last answered (in a group, of each answer) for 30 minutes, never your words.\n\
My logs contain update ids, topic ids, flags and timings, never text, names or usernames.\n\
If you set a country or a number with /emergency, I keep that code or number for the chat until it is changed or cleared (/emergency off).\n\
For moderator alerts I keep the user ids of the group admins who turned them on (with /alerts on), and when the group's last alert went out; an alert never holds what was written or who wrote it.\n\
So that one person cannot drown a group, I count each member's questions there by user id for one minute only, then forget the count.\n\
When I run on several servers, they note a chat's id and the times of my replies there for a few seconds, so that together they keep Telegram's pace.";

/// First lines of `/about`; the red-flag sources follow.
pub const ABOUT: &str = "<b>About backleg</b>\n\
My answers come from one article: <i>“Why does my pain move from my back to my leg?”</i>. \
The red flags beyond the article's own three come from clinical guidance:";

/// Non-text messages in a private chat.
pub const TEXT_ONLY: &str = "Sorry, I can only read text messages. Please type your question.";

/// A button that no longer means anything.
pub const STALE_BUTTON: &str =
    "Sorry, that button has expired. Send your question again or use /topics.";

/// `/ask` with nothing after it.
pub const ASK_EMPTY: &str = "Ask me like this: /ask <i>why does my back pain go down my leg?</i>";

/// `/check` in a group: the check happens in private.
pub const CHECK_IN_GROUP: &str = "The red-flag check asks personal questions, so it runs in a private chat with me. Tap the button to start it there.";

/// A check button pressed after the check expired (30 minutes) or ended.
pub const CHECK_EXPIRED: &str = "That check has ended or expired (answers are kept for 30 minutes at most). Send /check to start again.";

/// The check cannot continue (the settings store is down): the full criteria follow.
pub const CHECK_UNAVAILABLE: &str = "Sorry, I can't run the check right now. Here are all the warning signs to look out for instead:";

/// The button under `CHECK_IN_GROUP`.
pub const CHECK_BUTTON: &str = "Start the check privately";

/// Before the first check question.
pub const CHECK_INTRO: &str =
    "<b>Red-flag check</b>\nA few yes/no questions. Answer for how you are now.";

/// After all "no".
pub const CHECK_ALL_CLEAR: &str = "<b>You answered no to every question.</b>\n\
This check only asks about the warning signs below, as they are now. It does not rule out other causes of your pain, \
and it is not an examination. If the pain gets worse or does not get better, see a doctor or physiotherapist to find \
the cause. If any of these signs appear, get help:";

/// Yes / no buttons.
pub const YES: &str = "Yes";
/// Yes / no buttons.
pub const NO: &str = "No";

/// `/redflags` by someone who is not a group admin.
pub const REDFLAGS_NOT_ADMIN: &str = "Sorry, only group admins can change the red-flag watch.";
/// `/redflags` in a private chat.
pub const REDFLAGS_PRIVATE: &str =
    "The red-flag watch is for groups. Here, every message you send is checked for red flags.";
/// `/redflags` state.
pub const REDFLAGS_ON: &str = "The red-flag watch is <b>on</b>: when a message here says a warning sign is happening, I reply with when to get help (at most once every few minutes). A passing mention, like “a bit numb”, stays quiet; /urgent shows the full list. Admins can turn it off with /redflags off.";
/// `/redflags` state.
pub const REDFLAGS_OFF: &str = "The red-flag watch is <b>off</b>: I only answer when addressed. Admins can turn it on with /redflags on.";
/// `/redflags` usage.
pub const REDFLAGS_USAGE: &str =
    "Use /redflags on or /redflags off (admins only), or /redflags to see the current setting.";

/// Something went wrong on our side.
pub const APOLOGY: &str = "Sorry, something went wrong on my side. Please try again in a moment.";

/// Intro when added to a group; one of the watch lines follows.
pub const GROUP_INTRO: &str = "Hi all, I'm <b>backleg</b>. I answer questions about back pain that travels into the leg, \
with general information, not a diagnosis. Ask me with /ask <i>question</i>, mention me, or reply to one of my messages.";

/// Group intro: the watch can see messages.
pub const GROUP_WATCH_WORKS: &str = "Red-flag watch: <b>on</b>. If a message mentions a warning sign (like loss of bladder control), I'll reply with when to seek urgent care. Admins: /redflags off.";

/// Group intro: the watch cannot see messages.
pub const GROUP_WATCH_BLIND: &str = "Red-flag watch: I can't see messages that aren't addressed to me here. To let me watch for warning signs, make me an admin or turn off my privacy mode in @BotFather.";

/// `/alerts` usage.
pub const ALERTS_USAGE: &str =
    "Use /alerts on or /alerts off (group admins), or /alerts to see your setting. \
With alerts on, I send you a private message when an emergency-tier red flag is posted here.";
/// `/alerts` in a private chat.
pub const ALERTS_PRIVATE: &str =
    "Moderator alerts are for group admins: send /alerts on in your group, \
and I'll message you here when an emergency-tier red flag is posted there.";
/// `/alerts on` by someone who is not a group admin.
pub const ALERTS_NOT_ADMIN: &str = "Sorry, only group admins can turn on alerts.";
/// `/alerts` from an anonymous admin or a channel: nobody to message in private.
pub const ALERTS_ANONYMOUS: &str =
    "Alerts go to a person in a private chat, so I can't set them for an anonymous admin. \
Send /alerts on as yourself.";
/// `/alerts on` from an admin the bot cannot message (never started it, or blocked it).
pub const ALERTS_START_FIRST: &str =
    "I can't message you in private yet. Tap the button to start a chat with me, \
then send /alerts on here again.";
/// The button under `ALERTS_START_FIRST`.
pub const ALERTS_START_BUTTON: &str = "Start a private chat";
/// `/alerts on` done (in the group).
pub const ALERTS_TURNED_ON: &str =
    "Alerts are <b>on</b> for you here. I've sent you a private message.";
/// `/alerts off` done.
pub const ALERTS_TURNED_OFF: &str = "Alerts are <b>off</b> for you here.";
/// `/alerts` state for the sender.
pub const ALERTS_ON_FOR_YOU: &str =
    "Your alerts for this group are <b>on</b>. /alerts off stops them.";
/// `/alerts` state for the sender.
pub const ALERTS_OFF_FOR_YOU: &str =
    "Your alerts for this group are <b>off</b>. Admins can turn theirs on with /alerts on.";
/// A group without a title (should not happen).
pub const ALERTS_UNTITLED: &str = "(untitled group)";
/// The private confirmation of `/alerts on`; the group's title follows.
pub const ALERTS_WELCOME: &str = "<b>Moderator alerts are on</b> for ";
/// What an alert holds, in the private confirmation.
pub const ALERTS_WHAT: &str = "When an emergency-tier red flag is posted there, I'll send you the group, the time and a link to the message \
(at most one alert per group every few minutes). Never what was written or who wrote it. \
Send /alerts off in the group to stop.";
/// `/start alerts`: the admin opened the private chat from the group's button.
pub const ALERTS_START: &str =
    "Thanks, now I can send you moderator alerts. Go back to your group and send /alerts on there.";
/// First line of a private alert.
pub const ALERT_HEADING: &str =
    "<b>Red-flag alert</b>: a message in your group mentions an emergency-tier warning sign.";
/// An alert with a message link (the button).
pub const ALERT_HAS_LINK: &str = "Message: the button below opens it.";
/// An alert for a basic group, which has no message links.
pub const ALERT_NO_LINK: &str =
    "Message: basic groups have no message links; open the group and look for my red-flag notice.";
/// Last lines of a private alert.
pub const ALERT_FOOTER: &str = "<i>I don't forward what was written or who wrote it. Alerts: at most one per group every few minutes; \
/alerts off in the group stops them.</i>";
/// The button of an alert.
pub const ALERT_OPEN_BUTTON: &str = "Open the message";

/// `/emergency` alone: above the picker.
pub const EMERGENCY_PICK: &str = "Pick your country (admins only, in a group), or send /emergency <i>GB</i> or /emergency <i>112</i>. /emergency off goes back to the general wording.";
/// `/emergency`: the current setting, a country.
pub const EMERGENCY_CURRENT: &str = "Emergency number here:";
/// `/emergency`: "call" before the number.
pub const EMERGENCY_CALL: &str = "call";
/// `/emergency`: the current setting, a number of the chat's own.
pub const EMERGENCY_CURRENT_CUSTOM: &str = "Emergency number here, set by hand:";
/// `/emergency`: the country's non-emergency medical line.
pub const EMERGENCY_NON_EMERGENCY: &str = "For medical advice that is not an emergency:";
/// `/emergency`: no setting.
pub const EMERGENCY_CURRENT_DEFAULT: &str = "No country is set here, so urgent notices say:";
/// After a setting is saved.
pub const EMERGENCY_SAVED: &str =
    "Saved: every urgent notice, /urgent, /check and /card here now say this number.";
/// `/emergency XX` with a code no row of `emergency.toml` has.
pub const EMERGENCY_UNKNOWN_COUNTRY: &str =
    "I have no sourced emergency number for the country code";
/// `/emergency 1` or a number too long.
pub const EMERGENCY_BAD_NUMBER: &str = "A number must have 2 to 15 digits.";
/// `/emergency` usage.
pub const EMERGENCY_USAGE: &str = "Use /emergency <i>GB</i> (a two-letter country code), /emergency <i>112</i> (a number), /emergency off, or /emergency alone to pick a country.";
/// `/emergency` (or a picker button) by someone who is not a group admin.
pub const EMERGENCY_NOT_ADMIN: &str = "Sorry, only group admins can change the emergency number.";
/// The button under urgent replies in a private chat with no country set.
pub const SET_COUNTRY_BUTTON: &str = "Set your country";
/// Picker page buttons.
pub const PICKER_BACK: &str = "◀ Back";
/// Picker page buttons.
pub const PICKER_MORE: &str = "More ▶";

/// First line of `/card`.
pub const CARD_TITLE: &str = "<b>🚩 Red-flag card: back pain that travels into the leg</b>";
/// The copy button's label, before the number.
pub const CARD_COPY_BUTTON: &str = "📋 Copy";
/// Under a group's card when no country is set.
pub const CARD_SET_COUNTRY_HINT: &str = "Admins: set this group's country with /emergency, so the card and every notice give the right number.";
/// `/card` with something else than `pin`.
pub const CARD_USAGE: &str =
    "Use /card for the red-flag card, or /card pin in a group (admins) to pin it.";
/// `/card pin` by someone who is not a group admin.
pub const CARD_PIN_NOT_ADMIN: &str =
    "Sorry, only group admins can ask me to pin the card. Anyone can send /card.";
/// `/card pin` where the bot may not pin.
pub const CARD_CANNOT_PIN: &str = "I can't pin messages here. To let me, make me an admin with the right to pin messages; or send /card and pin it yourself.";

"""
Every chat command, declared once: name, usage, group, help text, what it needs, its handler and the card buttons
it answers, in the order ``/help`` lists them. ``/help``, its card, the README's command table and the documentation's command reference
are made from this table (tests hold the README and the docs to it).
"""
from ..locales import N_
from ..replies import escape
from . import account, agent, callerid, calls, devices, monitor, settings, timers, voicemail
from .calls import (CURRENT, HISTORY_COUNT, RECORDING, REJECTIONS, CallAction, digits, diversion, diverted, done,
                    mute_capable, on_a_device, park_place, parked, recording, rejection)
from .devices import endpoint_id, on_device
from .registry import Button, Command, Group, Need, Registry

__all__ = ['build_registry']

#: a command that acts for the person with their tokens, with Webex's call-control API
CALLING = Need.USER | Need.CALL_CONTROL


def _on_call(action: CallAction) -> Command:
    return Command(action.name, action.usage, Group.CALLS, action.help_key, action, CALLING | Need.CALL,
                   buttons=action.card_buttons())


def build_registry() -> Registry:
    """
    The commands of the bot.
    """
    return Registry([
        Command('/help', '/help', Group.ACCOUNT, N_('help./help'), account.show_help),
        Command('/auth', '/auth [clear|force|maintenance]', Group.ACCOUNT, N_('help./auth'), account.auth),
        Command('/monitor', '/monitor on|off|verbose', Group.MONITORING, N_('help./monitor'), monitor.monitor,
                CALLING),
        Command('/calls', '/calls', Group.CALLS, N_('help./calls'), calls.calls, CALLING),
        Command('/dial', '/dial <number, SIP URI or name> [on <device>]', Group.CALLS, N_('help./dial'), calls.dial,
                CALLING, buttons=(Button('callback', calls.call_button),)),
        _on_call(CallAction(
            '/answer', '/answer [n] [on <device>]', N_('help./answer'), N_('what./answer'), N_('action.answer'),
            (('alerting',),), parse=on_a_device, buttons={'answer': (None, None)},
            request=lambda api, call_id, device: api.answer(call_id, endpoint_id=endpoint_id(device)),
            answer=lambda context, call, device, _: on_device(
                context, context.t('answer.done', party=context.replies.party(call.remote_party)), device))),
        _on_call(CallAction(
            '/hangup', '/hangup [n]', N_('help./hangup'), N_('what./hangup'), N_('action.hangup'),
            (('connected',), ('held', 'remoteHeld', 'connecting', 'alerting')),
            request=lambda api, call_id, _: api.hangup(call_id), buttons={'hangup': (None, None)},
            answer=lambda context, call, *_: context.replies.hung_up(call))),
        _on_call(CallAction(
            '/hold', '/hold [n]', N_('help./hold'), N_('what./hold'), N_('action.hold'), (('connected', 'remoteHeld'),),
            request=lambda api, call_id, _: api.hold(call_id), answer=done(N_('hold.done')),
            buttons={'hold': (None, None)})),
        _on_call(CallAction(
            '/resume', '/resume [n]', N_('help./resume'), N_('what./resume'), N_('action.resume'), (('held',),),
            request=lambda api, call_id, _: api.resume(call_id), answer=done(N_('resume.done')),
            buttons={'resume': (None, None)})),
        _on_call(CallAction(
            '/reject', '/reject [n] [busy|unavailable|ignore]', N_('help./reject'), N_('what./reject'),
            N_('action.reject'), (('alerting',),), parse=rejection, buttons={'decline': ('busy', None)},
            request=lambda api, call_id, how: api.reject(call_id, REJECTIONS[how]),
            answer=lambda context, call, how, _: context.t('reject.done',
                                                           party=context.replies.party(call.remote_party),
                                                           how=how))),
        _on_call(CallAction(
            '/divert', '/divert <number>|voicemail', N_('help./divert'), N_('what./divert'), N_('action.divert'),
            (('alerting',),) + CURRENT, parse=diversion, number_at=None,
            buttons={'voicemail': (None, N_('action.voicemail_to'))},
            request=lambda api, call_id, target: api.divert(call_id, destination=target,
                                                         to_voicemail=True if target is None else None),
            answer=diverted)),
        Command('/transfer', '/transfer [number]', Group.CALLS, N_('help./transfer'), calls.transfer, CALLING,
                buttons=(Button('transfer', calls.transfer_button, on_call=True),)),
        _on_call(CallAction(
            '/mute', '/mute [n]', N_('help./mute'), N_('what./mute'), N_('action.mute'), CURRENT, check=mute_capable,
            request=lambda api, call_id, _: api.mute(call_id), answer=done(N_('mute.done')))),
        _on_call(CallAction(
            '/unmute', '/unmute [n]', N_('help./unmute'), N_('what./unmute'), N_('action.unmute'), CURRENT,
            check=mute_capable, request=lambda api, call_id, _: api.unmute(call_id),
            answer=done(N_('unmute.done')))),
        _on_call(CallAction(
            '/park', '/park [extension]', N_('help./park'), N_('what./park'), N_('action.park'), CURRENT,
            parse=park_place, number_at=None,
            request=lambda api, call_id, where: api.park(call_id, destination=where), answer=parked)),
        Command('/retrieve', '/retrieve [extension] [on <device>]', Group.CALLS, N_('help./retrieve'), calls.retrieve,
                CALLING),
        _on_call(CallAction(
            '/dtmf', '/dtmf <digits>', N_('help./dtmf'), N_('what./dtmf'), N_('action.dtmf'), (('connected',),),
            parse=digits, number_at=None, request=lambda api, call_id, typed: api.transmit_dtmf(call_id, typed),
            answer=lambda context, call, typed, _: context.t('dtmf.done', digits=escape(typed),
                                                             party=context.replies.party(call.remote_party)))),
        _on_call(CallAction(
            '/record', '/record start|stop|pause|resume [n]', N_('help./record'), N_('what./record'),
            N_('action.record'), CURRENT, parse=recording, number_at='second',
            request=lambda api, call_id, sub: RECORDING[sub][0](api, call_id),
            answer=lambda context, call, sub, _: context.t(RECORDING[sub][1],
                                                           party=context.replies.party(call.remote_party)))),
        _on_call(CallAction(
            '/push', '/push [n]', N_('help./push'), N_('what./push'), N_('action.push'), CURRENT + (('alerting',),),
            request=lambda api, call_id, _: api.push(call_id), answer=done(N_('push.done')))),
        Command('/pickup', '/pickup [number] [on <device>]', Group.CALLS, N_('help./pickup'), calls.pickup, CALLING),
        Command('/barge', '/barge <number> [on <device>]', Group.CALLS, N_('help./barge'), calls.barge, CALLING),
        Command('/pull', '/pull [[on] <device>]', Group.CALLS, N_('help./pull'), devices.pull, CALLING),
        Command('/history', '/history [missed|placed|received] [count]', Group.CALLS, N_('help./history'),
                calls.history, CALLING, help_values={'count': HISTORY_COUNT}),
        Command('/dnd', f'/dnd [on|off] {timers.USAGE_CLAUSE}', Group.SETTINGS, N_('help./dnd'), settings.dnd,
                Need.USER),
        Command('/forward', f'/forward [always|busy|noanswer <number or voicemail> | off] {timers.USAGE_CLAUSE}',
                Group.SETTINGS, N_('help./forward'), settings.forward, Need.USER),
        Command('/devices', '/devices [n|none]', Group.SETTINGS, N_('help./devices'), devices.devices,
                Need.USER, buttons=devices.BUTTONS),
        Command('/queue', f'/queue [join [n] | leave [n] | available | unavailable] {timers.USAGE_CLAUSE}',
                Group.SETTINGS, N_('help./queue'), agent.queue, Need.USER, buttons=agent.BUTTONS),
        Command('/callerid', '/callerid [n|default]', Group.SETTINGS, N_('help./callerid'), callerid.callerid,
                Need.USER, buttons=callerid.BUTTONS),
        Command('/timers', '/timers [cancel <n>]', Group.SETTINGS, N_('help./timers'), timers.timers, Need.USER),
        Command('/me', '/me', Group.SETTINGS, N_('help./me'), settings.me, Need.USER | Need.OWN_ZONE_READ),
        Command('/voicemail', '/voicemail [list | read <n> | unread <n> | delete <n>]', Group.VOICEMAIL,
                N_('help./voicemail'), voicemail.voicemail, Need.USER),
        Command('/broadcast', '/broadcast <message>', Group.ACCOUNT, N_('help./broadcast'), account.broadcast),
        Command('/redis', '/redis info|clear', Group.ACCOUNT, N_('help./redis'), account.redis, Need.REDIS_STORE),
    ])

"""
Deutsch (Deutschland): every text the bot shows to people, with the placeholders of :mod:`wxc_cc.locales.en_US`.
Command names and usage lines stay as they are typed.
"""

STRINGS = {
    # --- general
    'usage': 'Aufruf: {usage}',
    'unexpected': '{command} ist leider unerwartet fehlgeschlagen. Bitte versuchen Sie es noch einmal.',
    'api_failure': '{action} ist nicht gelungen: {reason}',
    'store_unavailable': 'Der Token-Speicher ist nicht erreichbar, bitte versuchen Sie es gleich noch einmal.',
    'reason.timeout': 'Webex hat nicht rechtzeitig geantwortet',
    'reason.unreachable': 'Webex ist nicht erreichbar',
    'reason.unexpected': 'unerwarteter Fehler',
    'reason.failed': 'Anfrage fehlgeschlagen',
    'time.unknown': 'unbekannte Zeit',
    'group_pointer': ('Anrufe steuere ich nur im 1:1-Bereich, damit Ihre Anrufe privat bleiben. '
                      'Schreiben Sie mir direkt, zum Beispiel /help.'),
    'party.private': 'eine unterdrückte Nummer',
    'party.unknown': 'ein unbekannter Teilnehmer',
    'invalid_destination': '{value} ist keine Nummer oder SIP-URI, die ich wählen kann.',
    'too_old': ('Dieser Befehl ist zu alt, um ihn auszuführen (es sind mehr als ein paar Minuten vergangen). '
                'Bitte senden Sie ihn erneut.'),

    # --- help
    'help.intro': 'Hallo! Ich steuere Ihr Webex-Calling-Telefon. Ich verstehe diese Befehle:',
    'help.card_intro': 'Ich steuere Ihr Webex-Calling-Telefon. Befehle:',
    'group.calls': 'Anrufe', 'group.monitoring': 'Überwachung', 'group.voicemail': 'Voicemail',
    'group.account': 'Konto',
    'help./help': 'Diese Liste zeigen.',
    'help./auth': ('Erlauben Sie mir, Ihr Telefon zu steuern, oder zeigen Sie Ihre Berechtigung; clear vergisst Ihre '
                   'Tokens, force berechtigt neu, maintenance entfernt abgelaufene Anmeldelinks.'),
    'help./monitor': ('Ihre Anrufe hier verfolgen: eine aktuelle Karte mit Schaltflächen je Anruf und neue '
                      'Voicemail; verbose zeigt zusätzlich die Rohdaten.'),
    'help./calls': 'Ihre aktiven Anrufe nummeriert auflisten: Zustand, Richtung, Gegenstelle und Dauer.',
    'help./dial': 'Eine Nummer anrufen: zuerst klingelt Ihr Telefon, der Anruf beginnt, wenn Sie abheben.',
    'help./answer': 'Den klingelnden Anruf annehmen (oder Anruf n aus /calls).',
    'help./hangup': 'Den verbundenen Anruf beenden (oder Ihren einzigen anderen, oder Anruf n aus /calls).',
    'help./hold': 'Den verbundenen Anruf (oder Anruf n) halten.',
    'help./resume': 'Den gehaltenen Anruf (oder Anruf n) fortsetzen.',
    'help./reject': ('Den klingelnden Anruf ablehnen: besetzt (Standard), nicht erreichbar, oder ignorieren (beim '
                     'Anrufer klingelt es weiter).'),
    'help./divert': 'Den klingelnden (oder aktuellen) Anruf an eine andere Nummer oder Ihre Voicemail umleiten.',
    'help./transfer': ('Den aktuellen Anruf an eine Nummer weitergeben, oder ohne Nummer Ihre beiden Anrufe '
                       'miteinander verbinden.'),
    'help./mute': 'Ihr Mikrofon im aktuellen Anruf stummschalten (wenn der Anruf es erlaubt).',
    'help./unmute': 'Die Stummschaltung im aktuellen Anruf aufheben.',
    'help./park': ('Den aktuellen Anruf parken (auf Ihrer eigenen oder der angegebenen Nebenstelle), um ihn '
                   'anderswo aufzunehmen.'),
    'help./retrieve': ('Einen geparkten Anruf aufnehmen (auf Ihnen oder der angegebenen Nebenstelle geparkt); Ihr '
                       'Telefon klingelt.'),
    'help./dtmf': 'Tonwahl senden (0-9 * # A-D, ein Komma macht eine Pause) im verbundenen Anruf.',
    'help./record': ('Die Aufzeichnung des aktuellen Anrufs starten, beenden, pausieren oder fortsetzen (wie Ihre '
                     'Aufzeichnungseinstellungen es erlauben).'),
    'help./push': 'Als Assistenz den aktuellen Anruf an Ihre Führungskraft weitergeben.',
    'help./pickup': ('Einen Anruf übernehmen, der bei jemandem aus Ihrer Übernahmegruppe (oder bei der angegebenen '
                     'Nummer) klingelt; Ihr Telefon klingelt.'),
    'help./barge': 'Sich in den angenommenen Anruf eines anderen Benutzers aufschalten; Ihr Telefon klingelt.',
    'help./history': ('Ihre letzten Anrufe zeigen, neueste zuerst ({count}, wenn Sie nicht sagen, wie viele); '
                      'verpasste Anrufe haben eine Schaltfläche Zurückrufen.'),
    'help./voicemail': ('Ihre Voicemail: wie viele neue und alte Nachrichten; sie auflisten; eine als gelesen oder '
                        'ungelesen markieren; eine löschen.'),
    'help./redis': 'Die Benutzer im Redis-Token-Speicher zeigen (IDs, E-Mails, Ablaufzeiten) oder ihn leeren.',
    'help./broadcast': ('Eine Nachricht (und ihre erste Datei; eine JSON-Kartendatei als Karte) an die Bereiche '
                        'senden, in denen ich bin, soweit die Richtlinie es erlaubt.'),

    # --- authorization
    'auth.flow_unknown': ('Dieser Anmeldelink ist unbekannt, abgelaufen oder wurde schon benutzt. '
                          'Senden Sie dem Bot /auth für einen neuen.'),
    'auth.declined': ('Die Berechtigung wurde nicht erteilt, daher kann ich Ihr Telefon nicht steuern. Senden Sie '
                      '/auth, um es noch einmal zu versuchen.'),
    'auth.page_success': ('Fertig: Der Bot kann jetzt Ihr Webex-Calling-Telefon steuern. Sie können dieses Fenster '
                          'schließen.'),
    'auth.not_authenticated': 'Benutzer {email} ist nicht angemeldet. Bitte zuerst den Befehl /auth verwenden',
    'auth.not_authenticated_anonymous': 'Sie sind nicht angemeldet. Bitte zuerst den Befehl /auth verwenden',
    'auth.link': ('Klicken Sie auf diesen [Link]({url}), um mir zu erlauben, Ihr Webex-Calling-Telefon zu steuern. '
                  'Der Link gilt {minutes} Minuten und funktioniert einmal.'),
    'auth.state': ('Sie sind angemeldet als {email}.  \nZugriffstoken gültig bis {access}, Aktualisierungstoken bis '
                   '{refresh}.  \nMit /auth force berechtigen Sie neu, mit /auth clear vergesse ich Ihre Tokens.'),
    'auth.success': ('Berechtigt als {email}: Ich kann jetzt Ihr Telefon steuern (Zugriffstoken gültig bis '
                     '{access}). Versuchen Sie /dial, /monitor on oder /help.'),
    'auth.failed': 'Die Berechtigung ist fehlgeschlagen: {reason}. Senden Sie /auth, um es noch einmal zu versuchen.',
    'auth.wrong_person_as': 'als {email}',
    'auth.wrong_person_other': 'mit einem anderen Konto',
    'auth.wrong_person': ('Berechtigung abgelehnt: Die Anmeldung erfolgte {who}, nicht durch die Person, die /auth '
                          'gesendet hat. Es wurde nichts gespeichert. Senden Sie /auth erneut und melden Sie sich '
                          'mit Ihrem eigenen Konto an.'),
    'auth.cleared': ('Ihre Tokens sind vergessen und die Anrufüberwachung ist aus. Mit /auth berechtigen Sie mich '
                     'wieder.'),
    'auth.maintenance': '{removed} abgelaufene(n) Anmeldelink(s) entfernt; {pending} offen.',
    'page.expired': 'Link abgelaufen', 'page.not_authorized': 'Nicht berechtigt',
    'page.failed': 'Berechtigung fehlgeschlagen', 'page.wrong_account': 'Falsches Konto',
    'page.authorized': 'Berechtigt', 'page.try_later': 'Bitte gleich noch einmal versuchen',

    # --- calls
    'state.connecting': 'wird verbunden', 'state.alerting': 'klingelt', 'state.connected': 'verbunden',
    'state.held': 'gehalten', 'state.remoteHeld': 'von der Gegenseite gehalten', 'state.disconnected': 'beendet',
    'direction.originator': 'ausgehend', 'direction.terminator': 'eingehend', 'direction.clickToDial': 'Click-to-Dial',
    'summary.originator': 'ausgehender Anruf an {party}: {state}',
    'summary.terminator': 'eingehender Anruf von {party}: {state}',
    'summary.clickToDial': 'Click-to-Dial-Anruf an {party}: {state}',
    'summary.other': 'Anruf mit {party}: {state}',
    'event.when': '- Ereignis: {event} um {time}',
    'event.state': '- Zustand: {state}, Rolle: {personality}',
    'event.remote': '- Gegenstelle: {party}, Anruftyp {call_type}',
    'event.answered': '- angenommen: {time}',
    'event.redirected': '- umgeleitet durch {party} ({reason})',
    'event.recording': '- Aufzeichnung: {state}',
    'event.call_id': '- Anruf-ID: `{call_id}`',
    'calls.none': 'Sie haben keine aktiven Anrufe.',
    'calls.title': '**Ihre Anrufe** ({count})',
    'calls.muted': ', stumm',
    'calls.recording': ', Aufzeichnung {state}',
    'choose.no_number': 'Es gibt keinen Anruf {number}: Sie haben {count} Anruf/Anrufe. Siehe /calls.',
    'choose.wrong_state': 'Anruf {number} ist {state}: er kann nicht {what} werden.',
    'choose.which': 'Welcher Anruf? {count} Anrufe können {what} werden:  \n{options}  \nSenden Sie zum Beispiel '
                    '{command} {first}.',
    'choose.none': 'Sie haben keinen Anruf, der {what} werden kann.',
    'what./answer': 'angenommen', 'what./hangup': 'beendet', 'what./hold': 'gehalten', 'what./resume': 'fortgesetzt',
    'what./reject': 'abgelehnt', 'what./divert': 'umgeleitet', 'what./mute': 'stummgeschaltet',
    'what./unmute': 'laut geschaltet', 'what./park': 'geparkt', 'what./dtmf': 'mit Tonwahl versorgt',
    'what./record': 'aufgezeichnet', 'what./push': 'weitergegeben',
    'action.dial': 'Wählen', 'action.list_calls': 'Auflisten Ihrer Anrufe', 'action.answer': 'Annehmen',
    'action.hangup': 'Auflegen', 'action.hold': 'Halten des Anrufs', 'action.resume': 'Fortsetzen des Anrufs',
    'action.reject': 'Ablehnen des Anrufs', 'action.divert': 'Umleiten des Anrufs', 'action.transfer': 'Weitergeben',
    'action.mute': 'Stummschalten', 'action.unmute': 'Lautschalten', 'action.park': 'Parken des Anrufs',
    'action.retrieve': 'Aufnehmen des geparkten Anrufs', 'action.dtmf': 'Senden der Töne',
    'action.record': 'Aufzeichnung: {what}', 'action.push': 'Weitergeben des Anrufs',
    'action.pickup': 'Übernehmen des Anrufs', 'action.barge': 'Aufschalten',
    'action.history': 'Abrufen Ihrer Anrufliste', 'action.monitor_on': 'Einschalten der Überwachung',
    'action.monitor_off': 'Ausschalten der Überwachung',
    'action.voicemail_summary': 'Abrufen Ihrer Voicemail-Übersicht',
    'action.voicemail_list': 'Auflisten Ihrer Voicemail', 'action.voicemail': 'Nachricht: {what}',
    'action.voicemail_to': 'Umleiten an die Voicemail', 'action.callback': 'Zurückrufen',
    'dial.done': ('Wähle {destination}: Zuerst klingelt Ihr Telefon; der Anruf an {destination} beginnt, wenn Sie '
                  'abheben.'),
    'answer.done': 'Anruf von {party} angenommen.',
    'hangup.done.originator': 'Anruf an {party} beendet.',
    'hangup.done.terminator': 'Anruf von {party} beendet.',
    'hangup.done.clickToDial': 'Anruf an {party} beendet.',
    'hangup.done.other': 'Anruf mit {party} beendet.',
    'hold.done': 'Anruf mit {party} wird gehalten.',
    'resume.done': 'Anruf mit {party} fortgesetzt.',
    'reject.done': 'Anruf von {party} abgelehnt ({how}).',
    'divert.voicemail': 'Anruf von {party} an Ihre Voicemail gesendet.',
    'divert.done': 'Anruf mit {party} an {destination} umgeleitet.',
    'transfer.connected': '{first} mit {second} verbunden.',
    'transfer.done': 'Anruf mit {party} an {destination} weitergegeben.',
    'transfer.not_two': ('Ohne Nummer verbindet /transfer zwei Anrufe, und Sie haben {count} laufende. '
                         'Um einen Anruf weiterzugeben: {usage}'),
    'transfer.which': ('Welcher Anruf? Halten Sie die anderen, sodass ein Anruf verbunden ist, dann noch einmal '
                       '/transfer.'),
    'transfer.none': 'Sie haben keinen laufenden Anruf zum Weitergeben.',
    'mute.not_capable': 'Dieser Anruf kann von hier nicht stummgeschaltet werden (sein Gerät erlaubt es nicht).',
    'mute.done': 'Anruf mit {party} stummgeschaltet.',
    'unmute.done': 'Stummschaltung im Anruf mit {party} aufgehoben.',
    'park.done': 'Anruf mit {party} auf {where} geparkt. Zurückholen mit {retrieve}.',
    'retrieve.done': 'Der auf {where} geparkte Anruf wird aufgenommen: Ihr Telefon klingelt.',
    'retrieve.you': 'Ihnen',
    'dtmf.done': '{digits} an {party} gesendet.',
    'record.start': 'Aufzeichnung des Anrufs mit {party} gestartet.',
    'record.stop': 'Aufzeichnung des Anrufs mit {party} beendet.',
    'record.pause': 'Aufzeichnung des Anrufs mit {party} pausiert.',
    'record.resume': 'Aufzeichnung des Anrufs mit {party} fortgesetzt.',
    'push.done': 'Anruf mit {party} an Ihre Führungskraft weitergegeben.',
    'pickup.done': 'Der Anruf für {target} wird übernommen: Ihr Telefon klingelt.',
    'pickup.group': 'Ihre Gruppe',
    'barge.done': 'Aufschalten auf den Anruf von {target}: Ihr Telefon klingelt.',

    # --- history
    'history.kind.placed': '↗️ gewählt', 'history.kind.received': '↙️ angenommen',
    'history.kind.missed': '⚠️ verpasst',
    'history.title': 'Anrufliste: {count} {calls}, neueste zuerst',
    'history.title_kind': 'Anrufliste: {count} {calls} ({kind}), neueste zuerst',
    'word.call': 'Anruf', 'word.calls': 'Anrufe',
    'history.empty': 'Ihre Anrufliste ist leer.',
    'history.empty_kind': 'Keine Anrufe der Art {kind} in Ihrer Anrufliste.',
    'history.private': 'unterdrückt',
    'card.call_back': '{who} zurückrufen',

    # --- monitoring and cards
    'monitor.off': 'Die Überwachung ist aus.',
    'monitor.was_off': 'Die Überwachung war nicht an.',
    'monitor.already': 'Die Überwachung ist schon an{mode}.',
    'monitor.on': ('Die Überwachung ist an{mode}: Ihre Anrufe erscheinen hier als Karten mit Schaltflächen, und '
                   'neue Voicemail auch.'),
    'monitor.verbose': ', mit den Rohdaten',
    'card.heading.alerting': '📞 Eingehender Anruf', 'card.heading.connecting': '📞 Anruf wird aufgebaut',
    'card.heading.connected': '📞 Verbundener Anruf', 'card.heading.held': '⏸️ Anruf gehalten',
    'card.heading.remoteHeld': '⏸️ Von der Gegenseite gehalten', 'card.heading.other': '📞 Anruf {state}',
    'card.with.originator': 'An {party}', 'card.with.terminator': 'Von {party}',
    'card.with.clickToDial': 'An {party}', 'card.with.other': 'Mit {party}',
    'card.fact.state': 'Zustand', 'card.fact.direction': 'Richtung', 'card.fact.since': 'Seit',
    'card.unknown': 'unbekannt',
    'card.button.answer': 'Annehmen', 'card.button.decline': 'Ablehnen', 'card.button.voicemail': 'An Voicemail',
    'card.button.hold': 'Halten', 'card.button.resume': 'Fortsetzen', 'card.button.hangup': 'Auflegen',
    'card.button.transfer': 'Weitergeben',
    'card.transfer_label': 'Weitergeben an', 'card.transfer_placeholder': 'Weitergeben an (Nummer)',
    'card.transfer_usage': 'eine Nummer in "Weitergeben an" eingeben, dann Weitergeben drücken',
    'card.ended': 'Dieser Anruf ist beendet.',
    'card.not_yours': ('Diese Karte gehört Ihnen nicht: Nur die Person, an die sie ging, kann ihre Schaltflächen '
                       'nutzen.'),
    'card.unknown_button': 'Diese Schaltfläche kenne ich nicht.',
    'card.callback_usage': 'Zurückrufen braucht eine Nummer',

    # --- voicemail
    'voicemail.empty': 'Ihre Voicemail ist leer.',
    'voicemail.summary': ('Sie haben {new} neue{urgent} und {old} alte Sprachnachricht(en). /voicemail list zeigt '
                          'sie.'),
    'voicemail.urgent_count': ' ({count} dringend)',
    'voicemail.title': '**Sprachnachrichten** ({count}, neueste zuerst)',
    'voicemail.read': 'gelesen', 'voicemail.new': '**neu**', 'voicemail.urgent': ' · dringend',
    'voicemail.no_message': 'Es gibt keine Nachricht {number}: Sie haben {count}. Siehe /voicemail list.',
    'voicemail.marked_read': 'Nachricht {number} als gelesen markiert.',
    'voicemail.marked_unread': 'Nachricht {number} als ungelesen markiert.',
    'voicemail.deleted': 'Nachricht {number} gelöscht.',
    'voicemail.verb.read': 'als gelesen markieren', 'voicemail.verb.unread': 'als ungelesen markieren',
    'voicemail.verb.delete': 'löschen',
    'voicemail.announce': '📬 Neue Sprachnachricht: Sie haben {new} neue. /voicemail list zeigt sie.',

    # --- redis
    'redis.unavailable': 'Der Bot verwendet kein Redis, daher gibt es /redis nicht.',
    'redis.cleared': 'Redis-Speicher geleert: {count} Benutzer vergessen, ihre Anrufüberwachung ausgeschaltet.',
    'redis.title': '**Redis-Token-Speicher**: {users} Benutzer, {flows} offene Anmeldung(en)',
    'redis.user': '- {email} (`{user_id}`): Zugriffstoken bis {access}, Aktualisierungstoken bis {refresh}',

    # --- access policy
    'policy.not_allowed': ('Leider darf ich nicht für Sie arbeiten: Die Organisation dieses Bots hat eingeschränkt, '
                           'wer ihn nutzen darf. Fragen Sie Ihre Webex-Administration, wenn Sie meinen, dass Sie '
                           'sollten.'),
    'policy.leaving': ('Ich darf nur in Bereichen meiner eigenen Organisation mitmachen, und dieser Bereich gehört '
                       'einer anderen, daher gehe ich. Entschuldigung!'),
    'policy.admins_only': 'Nur die Administratoren des Bots dürfen {command} verwenden.',
    'policy.government': ('{command} gibt es hier nicht: Webex for Government bietet die Anrufsteuerungs-API nicht '
                          'an. /voicemail funktioniert.'),
    'policy.slow_down': ('Bitte langsamer: Ich nehme {limit} Befehle pro {seconds} Sekunden von einer Person an. '
                         'Befehle, die in der Zwischenzeit kommen, werden ignoriert.'),
    'policy.moderator': ('Sie haben mich in den Bereich "{title}" aufgenommen, der im Ankündigungsmodus ist. Bitte '
                         'machen Sie mich dort zum Moderator, sonst kann ich dort nicht schreiben.'),

    # --- broadcast
    'broadcast.usage': ('Aufruf: /broadcast <Nachricht> (hängen Sie eine Datei an, um sie mitzuschicken; eine '
                        'JSON-Kartendatei wird als Karte gesendet)'),
    'broadcast.from': '**Rundsendung von {sender}:**',
    'broadcast.summary': 'Rundsendung: an {sent} Bereich(e) gesendet, {skipped} übersprungen, {failed} fehlgeschlagen.',
    'broadcast.skipped': '- übersprungen {space}: {reason}',
    'broadcast.failed': '- fehlgeschlagen {space}: {reason}',
    'broadcast.not_moderator': 'Ankündigungsmodus, und ich bin kein Moderator',
    'broadcast.asked': ' ({who} gebeten, mich dazu zu machen)',
    'broadcast.not_allowed': ('Nur die Administratoren des Bots und die eingetragenen Absender dürfen /broadcast '
                              'verwenden.'),
    'broadcast.no_spaces': 'Es gibt keinen Bereich für eine Rundsendung.',
    'broadcast.foreign_file': 'Die angehängte Datei liegt nicht bei Webex, daher habe ich nichts rundgesendet.',
}
